export {
  type BookSnapshot,
  type FillWatermark,
  PORTFOLIO_BOOKS_SNAPSHOT_VERSION,
  type PortfolioBooksSnapshot,
  type PositionSnapshot,
  parseBooksSnapshot,
} from "./books-snapshot.ts";
export { EquityCurve, type EquityPoint } from "./equity-curve.ts";
export { Portfolio, type PortfolioConfig, type PortfolioSnapshot, type PortfolioStats } from "./portfolio.ts";
export { type BookView, PortfolioBook } from "./portfolio-book.ts";
export { Position, type PositionState, type PositionView } from "./position.ts";
