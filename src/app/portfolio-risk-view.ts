import type { AccountId, InstrumentId } from "../core/index.ts";
import type { PortfolioRiskView } from "../execution/index.ts";
import type { Instrument } from "../model/index.ts";
import type { Portfolio } from "../portfolio/index.ts";

/**
 * Returns the risk engine's view of the portfolio: positions, marks and gross marked exposure summed
 * over quote assets, of one strategy or of the account. Every read is one of the Portfolio's cheap
 * accessors (no book view is built), since the risk checks read them on every order.
 * `portfolio` is a getter because the portfolio is built after execution, which holds this view.
 */
export function portfolioRiskView(
  portfolio: () => Portfolio,
  accountId: AccountId,
  instruments: ReadonlyMap<InstrumentId, Instrument>,
): PortfolioRiskView {
  return {
    position: (s, i) => portfolio().position(s, i),
    accountPosition: (i) => portfolio().accountQuantity(accountId, i),
    exposure: (s) =>
      s === undefined ? portfolio().accountExposure(accountId) : portfolio().strategyExposure(s),
    markPrice: (i) => portfolio().markPrice(i),
    instrument: (i) => instruments.get(i),
  };
}
