import { Decimal, Rounding } from "../../core/index.ts";
import type { ReportFill } from "./build-execution-report.ts";
import { lotFails } from "./check-symbol-filters.ts";
import { formatDecimal } from "./format-decimal.ts";
import { floorToStep, planTakerFills, type TakerPlan } from "./plan-taker-fills.ts";
import { settleFill } from "./settle-fill.ts";
import type { SimAccount } from "./sim-account.ts";
import type { SimBookUpdate, SimLevel } from "./sim-exchange-api.ts";
import type { SimMarket } from "./sim-market.ts";
import {
  isMarketType,
  isOpenStatus,
  isStopType,
  remainingQty,
  type SimOrder,
  type SimOrderType,
  type SimSide,
  triggersWhenAtOrBelow,
} from "./sim-order.ts";
import type { SimOrderQueue } from "./sim-order-queue.ts";
import {
  ORDER_TYPE_NOT_SUPPORTED,
  rejectFilter,
  rejectNewOrder,
  SimMsg,
  type SimRejection,
} from "./sim-rejection.ts";
import type { SimUserEvents } from "./sim-user-events.ts";
import type { ValidatedOrder } from "./validate-order-params.ts";

/** What the engine needs from the exchange around it. */
export interface MatchingEngineOptions {
  readonly events: SimUserEvents;
  /** Fraction of a public trade's quantity that may fill resting user orders. */
  readonly participation: Decimal;
  readonly now: () => number;
  readonly account: (accountId: string) => SimAccount | undefined;
  readonly publishBookUpdate: (update: SimBookUpdate) => void;
}

/** An accepted order and the fills it took on arrival. */
export interface Placement {
  readonly ok: true;
  readonly order: SimOrder;
  readonly fills: readonly ReportFill[];
}

/** Returns true when a stop of this type and side fires at this last price. */
export function stopTriggered(type: SimOrderType, side: SimSide, stop: Decimal, last: Decimal): boolean {
  return triggersWhenAtOrBelow(type, side) ? last.lte(stop) : last.gte(stop);
}

/**
 * The matching engine. Takers (market orders, crossing limits, triggered stops) fill against the
 * public book best-first, one fill per level at its price, consuming that liquidity. Resting user
 * orders are not in the public book: a public trade at or through their price fills them at their
 * own price, up to `participation` x the trade quantity per side, in price-time priority. Stops
 * trigger on the last public trade price. Each action emits its user events in Binance's order.
 * No call here scans all orders: every path works on the head of a sorted queue.
 */
export class SimMatchingEngine {
  readonly #o: MatchingEngineOptions;
  #nextOrderId = 1;

  constructor(options: MatchingEngineOptions) {
    this.#o = options;
  }

  /**
   * Returns the rejection an order gets from the symbol's own rules (trading status, order types,
   * quoteOrderQty and iceberg support), or undefined. These are the checks `order/test` can make
   * without the matching engine; balance, duplicate id, would-match and would-trigger need its state.
   */
  checkSymbolRules(market: SimMarket, v: ValidatedOrder): SimRejection | undefined {
    const sym = market.symbol;
    if (sym.status !== "TRADING") return rejectNewOrder(SimMsg.marketClosed);
    if (!sym.orderTypes.has(v.type))
      return rejectNewOrder(ORDER_TYPE_NOT_SUPPORTED[v.type] ?? SimMsg.unsupportedCombination);
    if (v.quoteOrderQty !== undefined && !sym.quoteOrderQtyMarketAllowed) {
      return rejectNewOrder(SimMsg.quoteOrderQtyNotSupported);
    }
    if (v.icebergQty !== undefined) {
      if (!sym.icebergAllowed) return rejectNewOrder(SimMsg.icebergNotSupported);
      if (v.quantity !== undefined && v.icebergQty.gte(v.quantity))
        return rejectNewOrder(SimMsg.icebergExceedsQty);
    }
    return undefined;
  }

  /** Accepts and works a validated order, or returns the engine's rejection (-2010, or -1013 for a quote-sized market order). */
  place(
    account: SimAccount,
    market: SimMarket,
    v: ValidatedOrder,
    clientOrderId: string,
  ): Placement | SimRejection {
    const prep = this.#prepare(account, market, v, clientOrderId);
    if ("ok" in prep) return prep;
    const now = this.#o.now();
    const sym = market.symbol;
    const stop = isStopType(v.type);
    const order: SimOrder = {
      accountId: account.id,
      symbol: sym,
      orderId: this.#nextOrderId++,
      clientOrderId,
      side: v.side,
      type: v.type,
      timeInForce: v.timeInForce,
      origQty: prep.origQty,
      price: v.price ?? Decimal.ZERO,
      stopPrice: v.stopPrice ?? Decimal.ZERO,
      icebergQty: v.icebergQty ?? Decimal.ZERO,
      origQuoteOrderQty: v.quoteOrderQty ?? Decimal.ZERO,
      selfTradePreventionMode: v.selfTradePreventionMode,
      executedQty: Decimal.ZERO,
      cumQuote: Decimal.ZERO,
      status: "NEW",
      time: now,
      updateTime: now,
      workingTime: stop ? -1 : now,
      lockAsset: prep.payAsset,
      locked: prep.lock,
      lockPrice: prep.lockPrice,
      expiryReason: undefined,
    };
    if (prep.lock.isPositive()) {
      const bal = account.balance(prep.payAsset);
      bal.free = bal.free.sub(prep.lock);
      bal.locked = bal.locked.add(prep.lock);
      account.updateTime = now;
      this.#o.events.touch(account, prep.payAsset);
    }
    account.addOpen(order);
    this.#o.events.report(order, { executionType: "NEW", eventTime: now, transactTime: now });
    let fills: readonly ReportFill[] = [];
    if (stop) {
      const queue = triggersWhenAtOrBelow(order.type, order.side) ? market.stopsBelow : market.stopsAbove;
      queue.add(order.stopPrice, order);
    } else {
      fills = this.#work(account, market, order, now, prep.plan);
    }
    this.#o.events.flush(now);
    return { ok: true, order, fills };
  }

  /** Cancels an open order: releases its lock and reports x=CANCELED with the cancel's client id. */
  cancel(account: SimAccount, market: SimMarket, order: SimOrder, cancelClientOrderId: string): void {
    const now = this.#o.now();
    this.#dequeue(market, order);
    order.status = "CANCELED";
    order.updateTime = now;
    this.#finish(account, order, now);
    this.#o.events.report(order, {
      executionType: "CANCELED",
      eventTime: now,
      transactTime: now,
      cancelClientOrderId,
    });
    this.#o.events.flush(now);
  }

  /** Takes an open order out of the engine without any event (an account reset). */
  discard(market: SimMarket, order: SimOrder): void {
    this.#dequeue(market, order);
  }

  /** A public trade: fills crossed resting orders, then updates the last price and fires stops. */
  onTrade(market: SimMarket, price: Decimal, qty: Decimal, timeMs: number): void {
    const budget = floorToStep(market.symbol, qty.mul(this.#o.participation, Rounding.Down));
    if (budget.isPositive()) {
      this.#fillResting(market, market.restingBuys, price, budget, timeMs, "BUY");
      this.#fillResting(market, market.restingSells, price, budget, timeMs, "SELL");
    }
    market.lastPrice = price;
    this.#triggerStops(market, price, timeMs);
  }

  #prepare(
    account: SimAccount,
    market: SimMarket,
    v: ValidatedOrder,
    clientOrderId: string,
  ):
    | { origQty: Decimal; payAsset: string; lock: Decimal; lockPrice: Decimal; plan: TakerPlan | undefined }
    | SimRejection {
    const sym = market.symbol;
    const symbolRule = this.checkSymbolRules(market, v);
    if (symbolRule !== undefined) return symbolRule;
    if (account.openByClientId(clientOrderId) !== undefined) return rejectNewOrder(SimMsg.duplicateOrder);
    const buy = v.side === "BUY";
    if (v.type === "LIMIT_MAKER" && v.price !== undefined) {
      const best = market.book.best(buy ? "ask" : "bid");
      if (best !== undefined && (buy ? best.price.lte(v.price) : best.price.gte(v.price))) {
        return rejectNewOrder(SimMsg.wouldMatch);
      }
    }
    if (isStopType(v.type) && v.stopPrice !== undefined && market.lastPrice !== undefined) {
      if (stopTriggered(v.type, v.side, v.stopPrice, market.lastPrice))
        return rejectNewOrder(SimMsg.wouldTrigger);
    }
    const payAsset = buy ? sym.quoteAsset : sym.baseAsset;
    const free = account.balances.get(payAsset)?.free ?? Decimal.ZERO;
    if (v.type === "MARKET") {
      let plan: TakerPlan;
      let need: Decimal;
      let origQty: Decimal;
      if (v.quoteOrderQty !== undefined) {
        plan = planTakerFills(market.book, sym, v.side, { quoteBudget: v.quoteOrderQty });
        origQty = plan.qty;
        if (plan.bookExhausted && origQty.lt(sym.minQty)) return rejectNewOrder(SimMsg.liquidityBelowMinQty);
        for (const f of sym.filters) {
          if ((f.filterType === "LOT_SIZE" || f.filterType === "MARKET_LOT_SIZE") && lotFails(f, origQty)) {
            return plan.bookExhausted && !origQty.isPositive()
              ? rejectNewOrder(SimMsg.liquidityBelowMinQty)
              : rejectFilter(f.filterType);
          }
        }
        need = buy ? v.quoteOrderQty : origQty;
      } else {
        origQty = v.quantity ?? Decimal.ZERO;
        plan = planTakerFills(market.book, sym, v.side, { qty: origQty });
        need = buy ? plan.quote : origQty;
      }
      if (need.gt(free)) return rejectNewOrder(SimMsg.insufficientBalance);
      return { origQty, payAsset, lock: Decimal.ZERO, lockPrice: Decimal.ZERO, plan };
    }
    const origQty = v.quantity ?? Decimal.ZERO;
    const lockPrice = buy ? ((isMarketType(v.type) ? v.stopPrice : v.price) ?? Decimal.ZERO) : Decimal.ONE;
    const lock = lockPrice.mul(origQty);
    if (lock.gt(free)) return rejectNewOrder(SimMsg.insufficientBalance);
    return { origQty, payAsset, lock, lockPrice, plan: undefined };
  }

  /** Works an order that just became active (placed, or triggered): takes liquidity, then rests or expires. */
  #work(
    account: SimAccount,
    market: SimMarket,
    order: SimOrder,
    timeMs: number,
    given: TakerPlan | undefined,
  ): ReportFill[] {
    const sym = market.symbol;
    const remaining = remainingQty(order);
    let plan = given;
    if (isMarketType(order.type)) {
      if (plan === undefined && order.side === "BUY") {
        // A triggered stop-market buy: its lock was an estimate at the stop price; it now pays what the
        // book costs, from free funds, and fills only what those funds afford.
        const bal = account.balance(order.lockAsset);
        bal.locked = bal.locked.sub(order.locked);
        bal.free = bal.free.add(order.locked);
        order.locked = Decimal.ZERO;
        order.lockPrice = Decimal.ZERO;
        this.#o.events.touch(account, order.lockAsset);
        plan = planTakerFills(market.book, sym, "BUY", { qty: remaining, quoteBudget: bal.free });
      } else if (plan === undefined) {
        plan = planTakerFills(market.book, sym, "SELL", { qty: remaining });
      }
    } else {
      plan = planTakerFills(market.book, sym, order.side, { limitPrice: order.price, qty: remaining });
      if (order.timeInForce === "FOK" && plan.qty.lt(remaining)) {
        this.#expire(account, order, "UNFILLED_FOK_ORDER_EXPIRED", timeMs);
        return [];
      }
    }
    const fills = this.#takeLiquidity(account, market, order, plan, timeMs);
    if (isOpenStatus(order.status)) {
      if (isMarketType(order.type)) {
        this.#expire(account, order, plan.budgetExhausted ? "REJECTED" : "INSUFFICIENT_LIQUIDITY", timeMs);
      } else if (order.timeInForce === "IOC") {
        this.#expire(account, order, "UNFILLED_IOC_QUANTITY_EXPIRED", timeMs);
      } else {
        (order.side === "BUY" ? market.restingBuys : market.restingSells).add(order.price, order);
      }
    }
    return fills;
  }

  #takeLiquidity(
    account: SimAccount,
    market: SimMarket,
    order: SimOrder,
    plan: TakerPlan,
    timeMs: number,
  ): ReportFill[] {
    if (plan.fills.length === 0) return [];
    const sym = market.symbol;
    const side = order.side === "BUY" ? "ask" : "bid";
    const changes: SimLevel[] = [];
    const fills: ReportFill[] = [];
    for (const f of plan.fills) {
      const price = f.level.price;
      const left = f.level.qty.sub(f.qty);
      market.book.set(side, price, left);
      changes.push([formatDecimal(price, sym.quotePrecision), formatDecimal(left, sym.basePrecision)]);
      fills.push(this.#fill(account, market, order, price, f.qty, timeMs, false));
    }
    const update =
      side === "ask"
        ? market.stampBookUpdate([], changes, timeMs)
        : market.stampBookUpdate(changes, [], timeMs);
    this.#o.publishBookUpdate(update);
    return fills;
  }

  #fill(
    account: SimAccount,
    market: SimMarket,
    order: SimOrder,
    price: Decimal,
    qty: Decimal,
    timeMs: number,
    maker: boolean,
  ): ReportFill {
    const sym = market.symbol;
    const s = settleFill(account, order, price, qty, maker ? account.makerRate : account.takerRate, timeMs);
    const tradeId = market.nextTradeId++;
    account.addTrade({
      symbol: sym.symbol,
      id: tradeId,
      orderId: order.orderId,
      price,
      qty,
      quoteQty: s.quoteQty,
      commission: s.commission,
      commissionAsset: s.commissionAsset,
      time: timeMs,
      isBuyer: order.side === "BUY",
      isMaker: maker,
    });
    this.#o.events.touch(account, sym.baseAsset);
    this.#o.events.touch(account, sym.quoteAsset);
    if (order.status === "FILLED") this.#finish(account, order, timeMs);
    const fill: ReportFill = {
      tradeId,
      price,
      qty,
      quoteQty: s.quoteQty,
      commission: s.commission,
      commissionAsset: s.commissionAsset,
      maker,
    };
    this.#o.events.report(order, {
      executionType: "TRADE",
      eventTime: Math.max(this.#o.now(), timeMs),
      transactTime: timeMs,
      fill,
    });
    return fill;
  }

  /** Releases what the order still locks and moves it to the account's closed orders. */
  #finish(account: SimAccount, order: SimOrder, timeMs: number): void {
    if (order.locked.isPositive()) {
      const bal = account.balance(order.lockAsset);
      bal.locked = bal.locked.sub(order.locked);
      bal.free = bal.free.add(order.locked);
      order.locked = Decimal.ZERO;
      account.updateTime = timeMs;
      this.#o.events.touch(account, order.lockAsset);
    }
    account.close(order);
  }

  #expire(account: SimAccount, order: SimOrder, reason: string, timeMs: number): void {
    order.status = "EXPIRED";
    order.expiryReason = reason;
    order.updateTime = timeMs;
    this.#finish(account, order, timeMs);
    this.#o.events.report(order, {
      executionType: "EXPIRED",
      eventTime: Math.max(this.#o.now(), timeMs),
      transactTime: timeMs,
    });
  }

  #dequeue(market: SimMarket, order: SimOrder): void {
    if (order.workingTime === -1) {
      const stops = triggersWhenAtOrBelow(order.type, order.side) ? market.stopsBelow : market.stopsAbove;
      stops.remove(order.stopPrice, order);
    } else {
      (order.side === "BUY" ? market.restingBuys : market.restingSells).remove(order.price, order);
    }
  }

  #fillResting(
    market: SimMarket,
    queue: SimOrderQueue,
    price: Decimal,
    budget: Decimal,
    timeMs: number,
    side: SimSide,
  ): void {
    let left = budget;
    while (left.isPositive()) {
      const level = queue.best();
      if (level === undefined || (side === "BUY" ? level.key.lt(price) : level.key.gt(price))) return;
      const order = level.orders[0] as SimOrder;
      const account = this.#o.account(order.accountId);
      if (account === undefined) {
        queue.removeHead();
        continue;
      }
      const qty = Decimal.min(remainingQty(order), left);
      this.#fill(account, market, order, order.price, qty, timeMs, true);
      left = left.sub(qty);
      if (order.status === "FILLED") queue.removeHead();
      this.#o.events.flush(Math.max(this.#o.now(), timeMs));
    }
  }

  #triggerStops(market: SimMarket, price: Decimal, timeMs: number): void {
    for (;;) {
      let order: SimOrder | undefined;
      const below = market.stopsBelow.best();
      if (below?.key.gte(price)) {
        order = below.orders[0];
        market.stopsBelow.removeHead();
      } else {
        const above = market.stopsAbove.best();
        if (above?.key.lte(price)) {
          order = above.orders[0];
          market.stopsAbove.removeHead();
        }
      }
      if (order === undefined) return;
      const account = this.#o.account(order.accountId);
      if (account === undefined) continue;
      const eventTime = Math.max(this.#o.now(), timeMs);
      order.workingTime = timeMs;
      order.updateTime = timeMs;
      this.#o.events.report(order, { executionType: "NEW", eventTime, transactTime: timeMs });
      this.#work(account, market, order, timeMs, undefined);
      this.#o.events.flush(eventTime);
    }
  }
}
