export { EquityCurve, type EquityPoint } from "./equity-curve.ts";
export { Portfolio, type PortfolioConfig, type PortfolioSnapshot, type PortfolioStats } from "./portfolio.ts";
export { type BookView, PortfolioBook } from "./portfolio-book.ts";
export { Position, type PositionView } from "./position.ts";
