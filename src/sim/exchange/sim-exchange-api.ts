/**
 * The contract between the simulator's exchange core (accounts, order validation, matching) and its
 * servers (REST, WebSocket API, market streams). The core is synchronous and I/O-free; the servers
 * authenticate, rate-limit and translate HTTP/WebSocket requests into these calls.
 *
 * Everything here speaks Binance's wire format: request parameters arrive as the strings the client
 * sent, responses and events are the JSON objects Binance would send (../shared/reference/binance.md).
 */

/** Request parameters as received (query string merged with form body, query wins). */
export type SimParams = Readonly<Record<string, string>>;

/** A successful call returns the JSON body; a failed one Binance's HTTP status, code and message. */
export type SimResult<T> =
  | { readonly ok: true; readonly body: T }
  | { readonly ok: false; readonly status: number; readonly code: number; readonly msg: string };

/** A level change of the public book: [price, quantity] with "0" removing the level. */
export type SimLevel = readonly [price: string, quantity: string];

/** One applied change of a symbol's public book, with Binance's update ids (U = first, u = last). */
export interface SimBookUpdate {
  readonly symbol: string;
  readonly firstUpdateId: number;
  readonly lastUpdateId: number;
  readonly bids: readonly SimLevel[];
  readonly asks: readonly SimLevel[];
  /** Exchange time of the change, ms. */
  readonly timeMs: number;
}

/** An event for one account's user data stream: the bare payload (`executionReport`, `outboundAccountPosition`, ...). */
export interface SimUserEvent {
  readonly accountId: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The `exchangeInfo` symbol object as Binance sends it (filters with string values). */
export interface SimSymbolInfo {
  readonly symbol: string;
  readonly status: string;
  readonly baseAsset: string;
  readonly baseAssetPrecision: number;
  readonly quoteAsset: string;
  readonly quotePrecision: number;
  readonly quoteAssetPrecision: number;
  readonly orderTypes: readonly string[];
  readonly quoteOrderQtyMarketAllowed: boolean;
  readonly filters: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly [key: string]: unknown;
}

/** What the servers call on the exchange core. Every method validates its params like Binance does. */
export interface SimExchangeApi {
  /** Symbols the exchange trades, in exchangeInfo form. */
  symbolInfos(): readonly SimSymbolInfo[];
  /** Opens (or resets) an account with the given balances (asset -> decimal string). */
  addAccount(accountId: string, balances: Readonly<Record<string, string>>): void;

  // Market inputs, from the simulator's market data sources.
  /** Sets absolute quantities of public book levels (a depth diff); returns the applied update. */
  applyBookLevels(symbol: string, bids: readonly SimLevel[], asks: readonly SimLevel[]): SimBookUpdate;
  /** A public trade printed at the venue: updates the last price, triggers stops, fills crossed resting orders. */
  onMarketTrade(symbol: string, price: string, quantity: string, timeMs: number, buyerIsMaker: boolean): void;
  /** `GET /api/v3/depth`: the public book's top `limit` levels with its lastUpdateId. */
  depth(params: SimParams): SimResult<{ lastUpdateId: number; bids: string[][]; asks: string[][] }>;
  /** Best bid/ask with the book's update id (for bookTicker), or undefined while a side is empty. */
  bookTicker(symbol: string): { u: number; b: string; B: string; a: string; A: string } | undefined;
  /** Last traded price of a symbol, if any trade happened yet. */
  lastPrice(symbol: string): string | undefined;

  // Account and order endpoints (the server has authenticated the account already).
  newOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>>;
  testOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>>;
  cancelOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>>;
  cancelOpenOrders(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]>;
  queryOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>>;
  openOrders(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]>;
  account(accountId: string, params: SimParams): SimResult<Record<string, unknown>>;
  myTrades(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]>;

  // Outputs.
  /** Receives every user data event of every account, in the order the exchange produced them. */
  onUserEvent(listener: (event: SimUserEvent) => void): () => void;
  /** Receives public book changes caused by the exchange itself (user taker fills consuming liquidity). */
  onBookUpdate(listener: (update: SimBookUpdate) => void): () => void;
}
