import type {
  SimBookUpdate,
  SimExchangeApi,
  SimLevel,
  SimParams,
  SimResult,
  SimSymbolInfo,
  SimUserEvent,
} from "./exchange/sim-exchange-api.ts";

/** A listener registered before bind(), subscribed to the exchange once it is known. */
interface PendingListener {
  readonly kind: "user" | "book";
  readonly listener: (event: never) => void;
  unsubscribe: (() => void) | undefined;
  cancelled: boolean;
}

/**
 * Forwards every call to an exchange given later. It breaks a construction cycle: the market data must
 * be built with its exchange (it subscribes to book updates in its constructor), while the exchange is
 * built from the market data's symbols. Listeners registered before `bind()` are subscribed at bind();
 * any other call before bind() is a bug and throws.
 */
export class DeferredSimExchange implements SimExchangeApi {
  #target: SimExchangeApi | undefined;
  readonly #pending: PendingListener[] = [];

  /** Sets the exchange every call goes to and subscribes the listeners registered so far. */
  bind(target: SimExchangeApi): void {
    if (this.#target !== undefined) throw new Error("DeferredSimExchange is already bound");
    this.#target = target;
    for (const p of this.#pending.splice(0)) {
      if (p.cancelled) continue;
      p.unsubscribe =
        p.kind === "user"
          ? target.onUserEvent(p.listener as (event: SimUserEvent) => void)
          : target.onBookUpdate(p.listener as (update: SimBookUpdate) => void);
    }
  }

  get #t(): SimExchangeApi {
    if (this.#target === undefined) throw new Error("DeferredSimExchange used before bind()");
    return this.#target;
  }

  symbolInfos(): readonly SimSymbolInfo[] {
    return this.#t.symbolInfos();
  }
  addAccount(accountId: string, balances: Readonly<Record<string, string>>): void {
    this.#t.addAccount(accountId, balances);
  }
  applyBookLevels(symbol: string, bids: readonly SimLevel[], asks: readonly SimLevel[]): SimBookUpdate {
    return this.#t.applyBookLevels(symbol, bids, asks);
  }
  onMarketTrade(
    symbol: string,
    price: string,
    quantity: string,
    timeMs: number,
    buyerIsMaker: boolean,
  ): void {
    this.#t.onMarketTrade(symbol, price, quantity, timeMs, buyerIsMaker);
  }
  depth(params: SimParams): SimResult<{ lastUpdateId: number; bids: string[][]; asks: string[][] }> {
    return this.#t.depth(params);
  }
  bookTicker(symbol: string): { u: number; b: string; B: string; a: string; A: string } | undefined {
    return this.#t.bookTicker(symbol);
  }
  lastPrice(symbol: string): string | undefined {
    return this.#t.lastPrice(symbol);
  }
  newOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    return this.#t.newOrder(accountId, params);
  }
  testOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    return this.#t.testOrder(accountId, params);
  }
  cancelOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    return this.#t.cancelOrder(accountId, params);
  }
  cancelOpenOrders(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]> {
    return this.#t.cancelOpenOrders(accountId, params);
  }
  queryOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    return this.#t.queryOrder(accountId, params);
  }
  openOrders(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]> {
    return this.#t.openOrders(accountId, params);
  }
  account(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    return this.#t.account(accountId, params);
  }
  myTrades(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]> {
    return this.#t.myTrades(accountId, params);
  }
  onUserEvent(listener: (event: SimUserEvent) => void): () => void {
    return this.#target === undefined ? this.#defer("user", listener) : this.#target.onUserEvent(listener);
  }
  onBookUpdate(listener: (update: SimBookUpdate) => void): () => void {
    return this.#target === undefined ? this.#defer("book", listener) : this.#target.onBookUpdate(listener);
  }

  #defer(kind: "user" | "book", listener: (event: never) => void): () => void {
    const pending: PendingListener = { kind, listener, unsubscribe: undefined, cancelled: false };
    this.#pending.push(pending);
    return () => {
      pending.cancelled = true;
      pending.unsubscribe?.();
    };
  }
}
