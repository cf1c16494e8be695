import type {
  SimBookUpdate,
  SimExchangeApi,
  SimLevel,
  SimParams,
  SimResult,
  SimSymbolInfo,
  SimUserEvent,
} from "../../exchange/sim-exchange-api.ts";

/** One call the fake received. */
export interface FakeCall {
  readonly method: string;
  readonly accountId: string;
  readonly params: Record<string, string>;
}

const SYMBOL: SimSymbolInfo = {
  symbol: "LTCBTC",
  status: "TRADING",
  baseAsset: "LTC",
  baseAssetPrecision: 8,
  quoteAsset: "BTC",
  quotePrecision: 8,
  quoteAssetPrecision: 8,
  orderTypes: ["LIMIT", "MARKET"],
  quoteOrderQtyMarketAllowed: true,
  filters: [
    {
      filterType: "PRICE_FILTER",
      minPrice: "0.00000100",
      maxPrice: "100000.00000000",
      tickSize: "0.00000100",
    },
  ],
};

/**
 * A test double of the exchange core for the server tests: records every call, accepts every order and
 * emits one executionReport per new order to the user event listeners.
 */
export class FakeSimExchange implements SimExchangeApi {
  readonly calls: FakeCall[] = [];
  readonly accounts = new Map<string, Readonly<Record<string, string>>>();
  readonly #listeners = new Set<(e: SimUserEvent) => void>();
  #orderId = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  symbolInfos(): readonly SimSymbolInfo[] {
    return [SYMBOL, { ...SYMBOL, symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: "USDT" }];
  }
  addAccount(accountId: string, balances: Readonly<Record<string, string>>): void {
    this.accounts.set(accountId, balances);
  }
  applyBookLevels(symbol: string, bids: readonly SimLevel[], asks: readonly SimLevel[]): SimBookUpdate {
    return { symbol, firstUpdateId: 1, lastUpdateId: 1, bids, asks, timeMs: this.#now() };
  }
  onMarketTrade(): void {}
  depth(params: SimParams): SimResult<{ lastUpdateId: number; bids: string[][]; asks: string[][] }> {
    if (params["symbol"] !== "LTCBTC") return { ok: false, status: 400, code: -1121, msg: "Invalid symbol." };
    return { ok: true, body: { lastUpdateId: 7, bids: [["0.1", "1"]], asks: [["0.2", "1"]] } };
  }
  bookTicker(): undefined {
    return undefined;
  }
  lastPrice(): undefined {
    return undefined;
  }
  newOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    this.#record("newOrder", accountId, params);
    const orderId = ++this.#orderId;
    const payload = {
      e: "executionReport",
      E: this.#now(),
      s: params["symbol"],
      i: orderId,
      x: "NEW",
      X: "NEW",
    };
    for (const l of this.#listeners) l({ accountId, payload });
    return {
      ok: true,
      body: { symbol: params["symbol"], orderId, orderListId: -1, transactTime: this.#now() },
    };
  }
  testOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    this.#record("testOrder", accountId, params);
    return { ok: true, body: {} };
  }
  cancelOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    this.#record("cancelOrder", accountId, params);
    return { ok: false, status: 400, code: -2011, msg: "Unknown order sent." };
  }
  cancelOpenOrders(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]> {
    this.#record("cancelOpenOrders", accountId, params);
    return { ok: true, body: [] };
  }
  queryOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    this.#record("queryOrder", accountId, params);
    return { ok: false, status: 400, code: -2013, msg: "Order does not exist." };
  }
  openOrders(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]> {
    this.#record("openOrders", accountId, params);
    return { ok: true, body: [] };
  }
  account(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    this.#record("account", accountId, params);
    const balances = Object.entries(this.accounts.get(accountId) ?? {}).map(([asset, free]) => ({
      asset,
      free,
      locked: "0",
    }));
    return { ok: true, body: { accountType: "SPOT", balances } };
  }
  myTrades(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]> {
    this.#record("myTrades", accountId, params);
    return { ok: true, body: [] };
  }
  onUserEvent(listener: (event: SimUserEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  onBookUpdate(): () => void {
    return () => {};
  }

  /** Calls of one method. */
  callsOf(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  #record(method: string, accountId: string, params: SimParams): void {
    this.calls.push({ method, accountId, params: { ...params } });
  }
}
