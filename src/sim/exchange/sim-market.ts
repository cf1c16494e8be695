import type { Decimal } from "../../core/index.ts";
import type { SimBookUpdate, SimLevel } from "./sim-exchange-api.ts";
import { SimOrderBook } from "./sim-order-book.ts";
import { SimOrderQueue } from "./sim-order-queue.ts";
import type { SimSymbol } from "./sim-symbol.ts";

/** Everything the exchange tracks for one symbol. */
export class SimMarket {
  readonly symbol: SimSymbol;
  /** The public book (market liquidity). */
  readonly book = new SimOrderBook();
  /** Resting user buy limits: best (highest) price first. */
  readonly restingBuys = new SimOrderQueue(true);
  /** Resting user sell limits: best (lowest) price first. */
  readonly restingSells = new SimOrderQueue(false);
  /** Untriggered stops that fire when the last price falls to the stop (highest stop first). */
  readonly stopsBelow = new SimOrderQueue(true);
  /** Untriggered stops that fire when the last price rises to the stop (lowest stop first). */
  readonly stopsAbove = new SimOrderQueue(false);
  lastPrice: Decimal | undefined;
  /** The id the next user fill gets (trade ids increase per symbol). */
  nextTradeId = 1;

  constructor(symbol: SimSymbol) {
    this.symbol = symbol;
  }

  /** Gives applied book changes the next update id (U = previous u + 1) and returns the update. */
  stampBookUpdate(bids: readonly SimLevel[], asks: readonly SimLevel[], timeMs: number): SimBookUpdate {
    const id = this.book.lastUpdateId + 1;
    this.book.lastUpdateId = id;
    return { symbol: this.symbol.symbol, firstUpdateId: id, lastUpdateId: id, bids, asks, timeMs };
  }
}
