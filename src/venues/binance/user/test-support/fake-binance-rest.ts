import type { ExchangeInfoMsg } from "../../../../model/index.ts";
import { BinanceApiError } from "../../binance-api-error.ts";
import type {
  BinanceRestApi,
  KlinesQuery,
  MyTradesQuery,
  NewOrderParams,
  OrderRef,
  RateLimitSnapshot,
} from "../../rest/binance-rest-api.ts";
import type {
  AccountMsg,
  CancelOrderResponseMsg,
  DepthSnapshotMsg,
  KlineRowMsg,
  MyTradeMsg,
  NewOrderResponseMsg,
  QueryOrderMsg,
} from "../../wire/rest-msgs.ts";
import type { UserDataEvent, UserDataSource } from "../user-data-source.ts";

/** One call the fake REST API received. */
export interface FakeRestCall {
  readonly method: string;
  readonly arg: unknown;
}

/** Returns the BinanceApiError the REST client throws for a Binance error body. */
export function binanceError(
  code: number,
  msg: string,
  httpStatus = 400,
  endpoint = "TEST",
): BinanceApiError {
  return new BinanceApiError({ endpoint, httpStatus, binanceCode: code, binanceMsg: msg });
}

const unused = (name: string) => () => Promise.reject(new Error(`FakeBinanceRest.${name} is not scripted`));

/**
 * A scriptable stand-in for the REST client: each method the venue uses calls a replaceable
 * implementation and is recorded in `calls`.
 */
export class FakeBinanceRest implements BinanceRestApi {
  readonly calls: FakeRestCall[] = [];
  timeOffsetMs = 0;
  newOrderImpl: (p: NewOrderParams) => Promise<NewOrderResponseMsg> = unused("newOrder");
  cancelOrderImpl: (r: OrderRef) => Promise<CancelOrderResponseMsg> = unused("cancelOrder");
  queryOrderImpl: (r: OrderRef) => Promise<QueryOrderMsg> = unused("queryOrder");
  openOrdersImpl: (symbol?: string) => Promise<QueryOrderMsg[]> = () => Promise.resolve([]);
  myTradesImpl: (q: MyTradesQuery) => Promise<MyTradeMsg[]> = () => Promise.resolve([]);
  accountImpl: () => Promise<AccountMsg> = unused("account");

  /** The calls of one method, in order. */
  callsOf(method: string): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.arg);
  }

  #record<T>(method: string, arg: unknown, impl: () => Promise<T>): Promise<T> {
    this.calls.push({ method, arg });
    return impl();
  }

  newOrder(params: NewOrderParams): Promise<NewOrderResponseMsg> {
    return this.#record("newOrder", params, () => this.newOrderImpl(params));
  }
  cancelOrder(ref: OrderRef): Promise<CancelOrderResponseMsg> {
    return this.#record("cancelOrder", ref, () => this.cancelOrderImpl(ref));
  }
  queryOrder(ref: OrderRef): Promise<QueryOrderMsg> {
    return this.#record("queryOrder", ref, () => this.queryOrderImpl(ref));
  }
  openOrders(symbol?: string): Promise<QueryOrderMsg[]> {
    return this.#record("openOrders", symbol, () => this.openOrdersImpl(symbol));
  }
  myTrades(query: MyTradesQuery): Promise<MyTradeMsg[]> {
    return this.#record("myTrades", query, () => this.myTradesImpl(query));
  }
  account(): Promise<AccountMsg> {
    return this.#record("account", undefined, () => this.accountImpl());
  }
  serverTime(): Promise<number> {
    return unused("serverTime")();
  }
  syncTime(): Promise<void> {
    return Promise.resolve();
  }
  exchangeInfo(_symbols?: readonly string[]): Promise<ExchangeInfoMsg> {
    return unused("exchangeInfo")();
  }
  klines(_query: KlinesQuery): Promise<KlineRowMsg[]> {
    return unused("klines")();
  }
  depth(_symbol: string, _limit?: number): Promise<DepthSnapshotMsg> {
    return unused("depth")();
  }
  testOrder(_params: NewOrderParams): Promise<Record<string, unknown>> {
    return unused("testOrder")();
  }
  rateLimits(): RateLimitSnapshot {
    return { usedWeight1m: 0, orderCount10s: 0, orderCount1d: 0, blockedUntilMs: 0, banned: false };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A user data source the test drives: emit() delivers an event, reconnect() reports a re-subscription. */
export class FakeUserData implements UserDataSource {
  readonly #events = new Set<(event: UserDataEvent) => void>();
  readonly #reconnects = new Set<() => void>();
  started = 0;
  stopped = 0;

  onEvent(listener: (event: UserDataEvent) => void): () => void {
    this.#events.add(listener);
    return () => this.#events.delete(listener);
  }
  onReconnected(listener: () => void): () => void {
    this.#reconnects.add(listener);
    return () => this.#reconnects.delete(listener);
  }
  start(): Promise<void> {
    this.started++;
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.stopped++;
    return Promise.resolve();
  }
  emit(event: UserDataEvent): void {
    for (const listener of this.#events) listener(event);
  }
  reconnect(): void {
    for (const listener of this.#reconnects) listener();
  }
}
