import { Decimal, DesError, ErrorCode } from "../../core/index.ts";
import { buildAccountResponse } from "./build-account-response.ts";
import { checkSymbolFilters } from "./check-symbol-filters.ts";
import { formatDecimal } from "./format-decimal.ts";
import {
  buildCancelResponse,
  buildNewOrderResponse,
  buildOrderView,
  buildTradeRow,
} from "./order-responses.ts";
import { selectMyTrades } from "./select-my-trades.ts";
import { SimAccount } from "./sim-account.ts";
import type {
  SimBookUpdate,
  SimExchangeApi,
  SimLevel,
  SimParams,
  SimResult,
  SimSymbolInfo,
  SimUserEvent,
} from "./sim-exchange-api.ts";
import { SimMarket } from "./sim-market.ts";
import { SimMatchingEngine } from "./sim-matching-engine.ts";
import { isOpenStatus, type SimOrder } from "./sim-order.ts";
import { isRejection, paramText, readBoolean, readLong, readSymbol } from "./sim-params.ts";
import {
  CLIENT_ORDER_ID_RANGE,
  reject,
  rejectEitherParam,
  rejectFilter,
  rejectIllegalChars,
  SimMsg,
  type SimRejection,
} from "./sim-rejection.ts";
import { parseSimSymbol, type SimSymbol } from "./sim-symbol.ts";
import { SimUserEvents } from "./sim-user-events.ts";
import { type ValidatedOrder, validateOrderParams } from "./validate-order-params.ts";

/** How the simulated exchange is set up. */
export interface SimExchangeOptions {
  /** The symbols it trades, as exchangeInfo lists them. */
  readonly symbols: readonly SimSymbolInfo[];
  /** Exchange time, ms (injected: the core never reads the wall clock). */
  readonly now: () => number;
  /** Default maker commission rate of new accounts (default "0.001"). */
  readonly makerCommissionRate?: string;
  /** Default taker commission rate of new accounts (default "0.001"). */
  readonly takerCommissionRate?: string;
  /** Fraction of a public trade's quantity that may fill resting user orders (default "1"). */
  readonly tradeParticipation?: string;
  /** Closed orders each account keeps queryable (default 100,000; older ones are forgotten). */
  readonly maxClosedOrdersPerAccount?: number;
  /** Trades each account keeps per symbol for myTrades (default 100,000; older ones are dropped). */
  readonly maxTradesPerAccountSymbol?: number;
}

/** Counters of what the exchange refused or could not deliver. */
export interface SimExchangeStats {
  /** Malformed market inputs (book levels, trades) that were skipped. */
  readonly inputErrors: number;
  /** What the last skipped input was, for the operator. */
  readonly lastInputError: string | undefined;
  /** Event listener calls that threw (the event was still given to the other listeners). */
  readonly listenerErrors: number;
}

const MAX_DEPTH_LIMIT = 5000;
const DEFAULT_DEPTH_LIMIT = 100;
const MAX_TRADES_LIMIT = 1000;
const DEFAULT_TRADES_LIMIT = 500;
const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_LIMIT = 100_000;
const UNKNOWN_ACCOUNT = reject(-2015, "Invalid API-key, IP, or permissions for action.", 401);

function ok<T>(body: T): SimResult<T> {
  return { ok: true, body };
}

function configDecimal(name: string, text: string): Decimal {
  try {
    return Decimal.from(text);
  } catch {
    throw new DesError(ErrorCode.InvalidConfig, `sim exchange: ${name} is not a decimal`, {
      name,
      value: text,
    });
  }
}

/**
 * A Binance-compatible spot exchange core: public books fed by market data, accounts with free/locked
 * balances, Binance's validation (codes and messages), matching, and the user data events, all
 * synchronous and I/O-free with time from the injected clock. The REST and WebSocket servers call it.
 */
export class SimExchange implements SimExchangeApi {
  readonly #infos: readonly SimSymbolInfo[];
  readonly #symbols = new Map<string, SimSymbol>();
  readonly #markets = new Map<string, SimMarket>();
  readonly #accounts = new Map<string, SimAccount>();
  readonly #assetPrecision = new Map<string, number>();
  readonly #bookListeners = new Set<(update: SimBookUpdate) => void>();
  readonly #events: SimUserEvents;
  readonly #engine: SimMatchingEngine;
  readonly #now: () => number;
  readonly #maker: Decimal;
  readonly #taker: Decimal;
  readonly #limits: { maxClosedOrders: number; maxTradesPerSymbol: number };
  #nextUid = 100_000_001;
  #nextClientId = 1;
  #inputErrors = 0;
  #lastInputError: string | undefined;
  #bookListenerErrors = 0;

  constructor(options: SimExchangeOptions) {
    this.#now = options.now;
    this.#infos = options.symbols;
    for (const info of options.symbols) {
      const sym = parseSimSymbol(info);
      if (this.#symbols.has(sym.symbol)) {
        throw new DesError(ErrorCode.InvalidConfig, `sim exchange: symbol ${sym.symbol} listed twice`);
      }
      this.#symbols.set(sym.symbol, sym);
      this.#markets.set(sym.symbol, new SimMarket(sym));
      for (const [asset, p] of [
        [sym.baseAsset, sym.basePrecision],
        [sym.quoteAsset, sym.quotePrecision],
      ] as const) {
        this.#assetPrecision.set(asset, Math.max(p, this.#assetPrecision.get(asset) ?? 0));
      }
    }
    this.#maker = configDecimal("makerCommissionRate", options.makerCommissionRate ?? "0.001");
    this.#taker = configDecimal("takerCommissionRate", options.takerCommissionRate ?? "0.001");
    for (const [name, rate] of [
      ["makerCommissionRate", this.#maker],
      ["takerCommissionRate", this.#taker],
    ] as const) {
      if (rate.isNegative() || rate.gte(Decimal.ONE)) {
        throw new DesError(ErrorCode.InvalidConfig, `sim exchange: ${name} must be in [0, 1)`, { name });
      }
    }
    const participation = configDecimal("tradeParticipation", options.tradeParticipation ?? "1");
    if (!participation.isPositive() || participation.gt(Decimal.ONE)) {
      throw new DesError(ErrorCode.InvalidConfig, "sim exchange: tradeParticipation must be in (0, 1]");
    }
    this.#limits = {
      maxClosedOrders: options.maxClosedOrdersPerAccount ?? DEFAULT_LIMIT,
      maxTradesPerSymbol: options.maxTradesPerAccountSymbol ?? DEFAULT_LIMIT,
    };
    this.#events = new SimUserEvents((asset) => this.#precisionOf(asset));
    this.#engine = new SimMatchingEngine({
      events: this.#events,
      participation,
      now: this.#now,
      account: (id) => this.#accounts.get(id),
      publishBookUpdate: (update) => this.#publishBookUpdate(update),
    });
  }

  /** Returns counters of skipped inputs and failed listeners. */
  stats(): SimExchangeStats {
    return {
      inputErrors: this.#inputErrors,
      lastInputError: this.#lastInputError,
      listenerErrors: this.#events.listenerErrors + this.#bookListenerErrors,
    };
  }

  symbolInfos(): readonly SimSymbolInfo[] {
    return this.#infos;
  }

  addAccount(accountId: string, balances: Readonly<Record<string, string>>): void {
    const old = this.#accounts.get(accountId);
    if (old !== undefined) {
      for (const order of old.openOrders.values()) {
        const market = this.#markets.get(order.symbol.symbol);
        if (market !== undefined) this.#engine.discard(market, order);
      }
    }
    const account = new SimAccount(
      accountId,
      old?.uid ?? this.#nextUid++,
      balances,
      { maker: this.#maker, taker: this.#taker },
      this.#limits,
    );
    this.#accounts.set(accountId, account);
  }

  /** Sets an account's maker and taker commission rates (decimal strings such as "0.001"). */
  setCommissionRates(accountId: string, maker: string, taker: string): void {
    const account = this.#accounts.get(accountId);
    if (account === undefined) {
      throw new DesError(ErrorCode.InvalidConfig, `sim exchange: no account ${accountId}`, { accountId });
    }
    account.makerRate = configDecimal("maker", maker);
    account.takerRate = configDecimal("taker", taker);
  }

  applyBookLevels(symbol: string, bids: readonly SimLevel[], asks: readonly SimLevel[]): SimBookUpdate {
    const market = this.#market(symbol);
    const appliedBids = this.#applyLevels(market, "bid", bids);
    const appliedAsks = this.#applyLevels(market, "ask", asks);
    return market.stampBookUpdate(appliedBids, appliedAsks, this.#now());
  }

  onMarketTrade(
    symbol: string,
    price: string,
    quantity: string,
    timeMs: number,
    _buyerIsMaker: boolean,
  ): void {
    const market = this.#market(symbol);
    const p = this.#inputDecimal(price);
    const q = this.#inputDecimal(quantity);
    if (
      p === undefined ||
      q === undefined ||
      !p.isPositive() ||
      !q.isPositive() ||
      !Number.isFinite(timeMs)
    ) {
      this.#inputError(
        `${symbol} trade skipped: price ${JSON.stringify(price)}, quantity ${JSON.stringify(quantity)}`,
      );
      return;
    }
    this.#engine.onTrade(market, p, q, timeMs);
  }

  depth(params: SimParams): SimResult<{ lastUpdateId: number; bids: string[][]; asks: string[][] }> {
    const sym = readSymbol(params, this.#symbols);
    if (isRejection(sym)) return sym;
    const limitParam = readLong(params, "limit");
    if (isRejection(limitParam)) return limitParam;
    const limit = Math.min(MAX_DEPTH_LIMIT, Math.max(1, limitParam ?? DEFAULT_DEPTH_LIMIT));
    const market = this.#market(sym.symbol);
    const level = (l: { price: Decimal; qty: Decimal }): string[] => [
      formatDecimal(l.price, sym.quotePrecision),
      formatDecimal(l.qty, sym.basePrecision),
    ];
    return ok({
      lastUpdateId: market.book.lastUpdateId,
      bids: market.book.top("bid", limit).map(level),
      asks: market.book.top("ask", limit).map(level),
    });
  }

  bookTicker(symbol: string): { u: number; b: string; B: string; a: string; A: string } | undefined {
    const market = this.#markets.get(symbol);
    if (market === undefined) return undefined;
    const bid = market.book.best("bid");
    const ask = market.book.best("ask");
    if (bid === undefined || ask === undefined) return undefined;
    const sym = market.symbol;
    return {
      u: market.book.lastUpdateId,
      b: formatDecimal(bid.price, sym.quotePrecision),
      B: formatDecimal(bid.qty, sym.basePrecision),
      a: formatDecimal(ask.price, sym.quotePrecision),
      A: formatDecimal(ask.qty, sym.basePrecision),
    };
  }

  lastPrice(symbol: string): string | undefined {
    const market = this.#markets.get(symbol);
    const last = market?.lastPrice;
    return last === undefined || market === undefined
      ? undefined
      : formatDecimal(last, market.symbol.quotePrecision);
  }

  newOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    const checked = this.#checkOrder(accountId, params);
    if (isRejection(checked)) return checked;
    const { account, v, market } = checked;
    const placed = this.#engine.place(account, market, v, v.newClientOrderId ?? this.#generateClientId());
    if (isRejection(placed)) return placed;
    return ok(buildNewOrderResponse(placed.order, v.respType, placed.fills, placed.order.time));
  }

  testOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    const checked = this.#checkOrder(accountId, params);
    if (isRejection(checked)) return checked;
    const { account, v, market } = checked;
    const rule = this.#engine.checkSymbolRules(market, v);
    if (rule !== undefined) return rule;
    const withRates = readBoolean(params, "computeCommissionRates");
    if (isRejection(withRates)) return withRates;
    if (withRates !== true) return ok({});
    const zero = "0.00000000";
    return ok({
      standardCommissionForOrder: {
        maker: formatDecimal(account.makerRate, 8),
        taker: formatDecimal(account.takerRate, 8),
      },
      specialCommissionForOrder: { maker: zero, taker: zero },
      taxCommissionForOrder: { maker: zero, taker: zero },
      discount: { enabledForAccount: false, enabledForSymbol: false, discountAsset: "BNB", discount: zero },
    });
  }

  cancelOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    const lookup = this.#lookUpOrder(accountId, params);
    if (isRejection(lookup)) return lookup;
    const { account, sym, found } = lookup;
    const cancelId = this.#cancelClientId(params);
    if (isRejection(cancelId)) return cancelId;
    const restriction = paramText(params, "cancelRestrictions");
    if (restriction !== undefined && restriction !== "ONLY_NEW" && restriction !== "ONLY_PARTIALLY_FILLED") {
      return reject(-1145, SimMsg.invalidCancelRestrictions);
    }
    const order = found;
    if (order === undefined || !isOpenStatus(order.status)) return reject(-2011, SimMsg.unknownOrder);
    if (
      (restriction === "ONLY_NEW" && order.status !== "NEW") ||
      (restriction === "ONLY_PARTIALLY_FILLED" && order.status !== "PARTIALLY_FILLED")
    ) {
      return reject(-2011, SimMsg.cancelRestricted);
    }
    this.#engine.cancel(account, this.#market(sym.symbol), order, cancelId);
    return ok(buildCancelResponse(order, cancelId, order.updateTime));
  }

  cancelOpenOrders(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]> {
    const account = this.#accounts.get(accountId);
    if (account === undefined) return UNKNOWN_ACCOUNT;
    const sym = readSymbol(params, this.#symbols);
    if (isRejection(sym)) return sym;
    const orders = [...account.openOrders.values()].filter((o) => o.symbol === sym);
    if (orders.length === 0) return reject(-2011, SimMsg.unknownOrder);
    const market = this.#market(sym.symbol);
    const out: Record<string, unknown>[] = [];
    for (const order of orders) {
      const cancelId = this.#generateClientId();
      this.#engine.cancel(account, market, order, cancelId);
      out.push(buildCancelResponse(order, cancelId, order.updateTime));
    }
    return ok(out);
  }

  queryOrder(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    const lookup = this.#lookUpOrder(accountId, params);
    if (isRejection(lookup)) return lookup;
    const { found } = lookup;
    if (found === undefined) return reject(-2013, SimMsg.noSuchOrder);
    return ok(buildOrderView(found));
  }

  openOrders(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]> {
    const account = this.#accounts.get(accountId);
    if (account === undefined) return UNKNOWN_ACCOUNT;
    let sym: SimSymbol | undefined;
    if (paramText(params, "symbol") !== undefined) {
      const s = readSymbol(params, this.#symbols);
      if (isRejection(s)) return s;
      sym = s;
    }
    const out: Record<string, unknown>[] = [];
    for (const order of account.openOrders.values()) {
      if (sym === undefined || order.symbol === sym) out.push(buildOrderView(order));
    }
    return ok(out);
  }

  account(accountId: string, params: SimParams): SimResult<Record<string, unknown>> {
    const account = this.#accounts.get(accountId);
    if (account === undefined) return UNKNOWN_ACCOUNT;
    const omit = readBoolean(params, "omitZeroBalances");
    if (isRejection(omit)) return omit;
    return ok(
      buildAccountResponse(account, this.#assetPrecision.keys(), omit === true, (a) => this.#precisionOf(a)),
    );
  }

  myTrades(accountId: string, params: SimParams): SimResult<Record<string, unknown>[]> {
    const account = this.#accounts.get(accountId);
    if (account === undefined) return UNKNOWN_ACCOUNT;
    const sym = readSymbol(params, this.#symbols);
    if (isRejection(sym)) return sym;
    const values: Record<string, number | undefined> = {};
    for (const name of ["orderId", "fromId", "startTime", "endTime", "limit"]) {
      const v = readLong(params, name);
      if (isRejection(v)) return v;
      values[name] = v;
    }
    const { orderId, fromId, startTime, endTime, limit } = values;
    const timed = startTime !== undefined || endTime !== undefined;
    // Supported: symbol [+ orderId [+ fromId]] | [+ fromId] | [+ startTime] [+ endTime].
    if ((fromId !== undefined && timed) || (orderId !== undefined && timed)) {
      return reject(-1128, SimMsg.invalidParamCombination);
    }
    if (
      startTime !== undefined &&
      endTime !== undefined &&
      (endTime < startTime || endTime - startTime > DAY_MS)
    ) {
      return reject(-1127, "More than 24 hours between startTime and endTime.");
    }
    const rows = selectMyTrades(account.trades(sym.symbol), {
      ...(orderId === undefined ? {} : { orderId }),
      ...(fromId === undefined ? {} : { fromId }),
      ...(startTime === undefined ? {} : { startTime }),
      ...(endTime === undefined ? {} : { endTime }),
      limit: Math.min(MAX_TRADES_LIMIT, Math.max(1, limit ?? DEFAULT_TRADES_LIMIT)),
    });
    return ok(
      rows.map((t) =>
        buildTradeRow(
          t,
          sym.basePrecision,
          sym.quotePrecision,
          t.commissionAsset === sym.baseAsset ? sym.basePrecision : sym.quotePrecision,
        ),
      ),
    );
  }

  onUserEvent(listener: (event: SimUserEvent) => void): () => void {
    return this.#events.listen(listener);
  }

  onBookUpdate(listener: (update: SimBookUpdate) => void): () => void {
    this.#bookListeners.add(listener);
    return () => {
      this.#bookListeners.delete(listener);
    };
  }

  /** Checks a new or test order: the account, the parameters, then the symbol's filters. */
  #checkOrder(
    accountId: string,
    params: SimParams,
  ): { account: SimAccount; v: ValidatedOrder; market: SimMarket } | SimRejection {
    const account = this.#accounts.get(accountId);
    if (account === undefined) return UNKNOWN_ACCOUNT;
    const v = validateOrderParams(params, this.#symbols);
    if (isRejection(v)) return v;
    const market = this.#market(v.symbol.symbol);
    const failed = checkSymbolFilters(v, market.lastPrice);
    if (failed !== undefined) return rejectFilter(failed);
    return { account, v, market };
  }

  #market(symbol: string): SimMarket {
    const market = this.#markets.get(symbol);
    if (market === undefined) {
      throw new DesError(ErrorCode.VenueUnknownSymbol, `sim exchange does not trade ${symbol}`, { symbol });
    }
    return market;
  }

  #precisionOf(asset: string): number {
    return this.#assetPrecision.get(asset) ?? 8;
  }

  #generateClientId(): string {
    // 22 characters like Binance's generated ids; deterministic, so runs are reproducible.
    return `sim${(this.#nextClientId++).toString(36).padStart(19, "0")}`;
  }

  #cancelClientId(params: SimParams): string | SimRejection {
    const text = paramText(params, "newClientOrderId");
    if (text === undefined) return this.#generateClientId();
    return /^[a-zA-Z0-9-_]{1,36}$/.test(text)
      ? text
      : rejectIllegalChars("newClientOrderId", CLIENT_ORDER_ID_RANGE);
  }

  /** Finds the order named by orderId and/or origClientOrderId (both: the id must match the order found). */
  /** Finds the order a cancel or query names: checks the account, the symbol, then the order ids. */
  #lookUpOrder(
    accountId: string,
    params: SimParams,
  ): { account: SimAccount; sym: SimSymbol; found: SimOrder | undefined } | SimRejection {
    const account = this.#accounts.get(accountId);
    if (account === undefined) return UNKNOWN_ACCOUNT;
    const sym = readSymbol(params, this.#symbols);
    if (isRejection(sym)) return sym;
    const found = this.#findOrder(account, sym, params);
    if (isRejection(found)) return found;
    return { account, sym, found };
  }

  #findOrder(account: SimAccount, sym: SimSymbol, params: SimParams): SimOrder | undefined | SimRejection {
    const orderId = readLong(params, "orderId");
    if (isRejection(orderId)) return orderId;
    const origClientOrderId = paramText(params, "origClientOrderId");
    if (orderId === undefined && origClientOrderId === undefined) {
      return rejectEitherParam("origClientOrderId", "orderId");
    }
    const order =
      orderId !== undefined
        ? account.findOrder(orderId)
        : account.findByClientId(origClientOrderId as string);
    if (order === undefined || order.symbol !== sym) return undefined;
    if (origClientOrderId !== undefined && order.clientOrderId !== origClientOrderId) return undefined;
    return order;
  }

  #applyLevels(market: SimMarket, side: "bid" | "ask", levels: readonly SimLevel[]): SimLevel[] {
    const applied: SimLevel[] = [];
    for (const level of levels) {
      const price = Array.isArray(level) ? this.#inputDecimal(level[0]) : undefined;
      const qty = Array.isArray(level) ? this.#inputDecimal(level[1]) : undefined;
      if (price === undefined || qty === undefined || !price.isPositive() || qty.isNegative()) {
        this.#inputError(`${market.symbol.symbol} ${side} level skipped: ${JSON.stringify(level)}`);
        continue;
      }
      market.book.set(side, price, qty);
      applied.push(level);
    }
    return applied;
  }

  #inputDecimal(text: unknown): Decimal | undefined {
    if (typeof text !== "string") return undefined;
    try {
      return Decimal.from(text);
    } catch {
      return undefined;
    }
  }

  #inputError(what: string): void {
    this.#inputErrors++;
    this.#lastInputError = what.length > 200 ? `${what.slice(0, 200)}...` : what;
  }

  #publishBookUpdate(update: SimBookUpdate): void {
    for (const listener of this.#bookListeners) {
      try {
        listener(update);
      } catch {
        this.#bookListenerErrors++;
      }
    }
  }
}
