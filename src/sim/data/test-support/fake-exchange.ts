import { Decimal } from "../../../core/index.ts";
import type {
  SimBookUpdate,
  SimExchangeApi,
  SimLevel,
  SimParams,
  SimResult,
  SimSymbolInfo,
  SimUserEvent,
} from "../../exchange/sim-exchange-api.ts";

/** A recorded market trade. */
export interface FakeTrade {
  readonly symbol: string;
  readonly price: string;
  readonly quantity: string;
  readonly timeMs: number;
  readonly buyerIsMaker: boolean;
}

interface FakeBook {
  readonly bids: Map<string, string>;
  readonly asks: Map<string, string>;
  lastUpdateId: number;
}

const NOT_IMPLEMENTED: SimResult<never> = { ok: false, status: 400, code: -1, msg: "not in the fake" };

/**
 * A test double of the exchange's market side: a public book per symbol with one contiguous update id
 * space (each applied level takes one id), recorded trades, depth/bookTicker reads, and a way to fake
 * a user order taking liquidity (onBookUpdate). Account endpoints are not implemented.
 */
export class FakeExchange implements SimExchangeApi {
  readonly trades: FakeTrade[] = [];
  readonly updates: SimBookUpdate[] = [];
  readonly #books = new Map<string, FakeBook>();
  readonly #bookListeners: ((u: SimBookUpdate) => void)[] = [];
  readonly #last = new Map<string, string>();
  now = (): number => 0;

  symbolInfos(): readonly SimSymbolInfo[] {
    return [];
  }
  addAccount(): void {}

  applyBookLevels(symbol: string, bids: readonly SimLevel[], asks: readonly SimLevel[]): SimBookUpdate {
    const book = this.#book(symbol);
    for (const [p, q] of bids) set(book.bids, p, q);
    for (const [p, q] of asks) set(book.asks, p, q);
    const firstUpdateId = book.lastUpdateId + 1;
    book.lastUpdateId += Math.max(1, bids.length + asks.length);
    const update = { symbol, firstUpdateId, lastUpdateId: book.lastUpdateId, bids, asks, timeMs: this.now() };
    this.updates.push(update);
    return update;
  }

  onMarketTrade(
    symbol: string,
    price: string,
    quantity: string,
    timeMs: number,
    buyerIsMaker: boolean,
  ): void {
    this.trades.push({ symbol, price, quantity, timeMs, buyerIsMaker });
    this.#last.set(symbol, price);
  }

  depth(params: SimParams): SimResult<{ lastUpdateId: number; bids: string[][]; asks: string[][] }> {
    const symbol = params["symbol"] ?? "";
    const limit = Number(params["limit"] ?? "100");
    const book = this.#book(symbol);
    return {
      ok: true,
      body: {
        lastUpdateId: book.lastUpdateId,
        bids: sorted(book.bids, true).slice(0, limit),
        asks: sorted(book.asks, false).slice(0, limit),
      },
    };
  }

  bookTicker(symbol: string): { u: number; b: string; B: string; a: string; A: string } | undefined {
    const book = this.#book(symbol);
    const bid = best(book.bids, true);
    const ask = best(book.asks, false);
    if (bid === undefined || ask === undefined) return undefined;
    return {
      u: book.lastUpdateId,
      b: bid[0] as string,
      B: bid[1] as string,
      a: ask[0] as string,
      A: ask[1] as string,
    };
  }

  lastPrice(symbol: string): string | undefined {
    return this.#last.get(symbol);
  }

  /** Fakes a user taker order removing the best level of a side; returns the update it published. */
  takeBest(symbol: string, side: "bid" | "ask"): SimBookUpdate | undefined {
    const book = this.#book(symbol);
    const level = sorted(side === "bid" ? book.bids : book.asks, side === "bid")[0];
    if (level === undefined) return undefined;
    const change: SimLevel[] = [[level[0] as string, "0"]];
    (side === "bid" ? book.bids : book.asks).delete(key(level[0] as string));
    book.lastUpdateId++;
    const update: SimBookUpdate = {
      symbol,
      firstUpdateId: book.lastUpdateId,
      lastUpdateId: book.lastUpdateId,
      bids: side === "bid" ? change : [],
      asks: side === "ask" ? change : [],
      timeMs: this.now(),
    };
    this.updates.push(update);
    for (const l of this.#bookListeners) l(update);
    return update;
  }

  newOrder(): SimResult<Record<string, unknown>> {
    return NOT_IMPLEMENTED;
  }
  testOrder(): SimResult<Record<string, unknown>> {
    return NOT_IMPLEMENTED;
  }
  cancelOrder(): SimResult<Record<string, unknown>> {
    return NOT_IMPLEMENTED;
  }
  cancelOpenOrders(): SimResult<Record<string, unknown>[]> {
    return NOT_IMPLEMENTED;
  }
  queryOrder(): SimResult<Record<string, unknown>> {
    return NOT_IMPLEMENTED;
  }
  openOrders(): SimResult<Record<string, unknown>[]> {
    return NOT_IMPLEMENTED;
  }
  account(): SimResult<Record<string, unknown>> {
    return NOT_IMPLEMENTED;
  }
  myTrades(): SimResult<Record<string, unknown>[]> {
    return NOT_IMPLEMENTED;
  }
  onUserEvent(_listener: (event: SimUserEvent) => void): () => void {
    return () => {};
  }
  onBookUpdate(listener: (update: SimBookUpdate) => void): () => void {
    this.#bookListeners.push(listener);
    return () => {
      const i = this.#bookListeners.indexOf(listener);
      if (i >= 0) this.#bookListeners.splice(i, 1);
    };
  }

  #book(symbol: string): FakeBook {
    let book = this.#books.get(symbol);
    if (book === undefined) {
      book = { bids: new Map(), asks: new Map(), lastUpdateId: 0 };
      this.#books.set(symbol, book);
    }
    return book;
  }
}

function key(price: string): string {
  return Decimal.from(price).toFixed(8);
}

function set(side: Map<string, string>, price: string, qty: string): void {
  if (Decimal.from(qty).isZero()) side.delete(key(price));
  else side.set(key(price), Decimal.from(qty).toFixed(8));
}

/** Linear scan: bookTicker runs after every change, sorting there would make tests slow. */
function best(side: Map<string, string>, highest: boolean): string[] | undefined {
  let found: string[] | undefined;
  let units = 0n;
  for (const [p, q] of side) {
    const u = Decimal.from(p).units;
    if (found === undefined || (highest ? u > units : u < units)) {
      found = [p, q];
      units = u;
    }
  }
  return found;
}

function sorted(side: Map<string, string>, descending: boolean): string[][] {
  const levels = [...side].map(([p, q]) => ({ units: Decimal.from(p).units, level: [p, q] }));
  levels.sort((a, b) => (a.units < b.units ? -1 : a.units > b.units ? 1 : 0) * (descending ? -1 : 1));
  return levels.map((l) => l.level);
}
