import { Decimal, DesError, ErrorCode } from "../../core/index.ts";
import type { SimOrder } from "./sim-order.ts";
import type { SimTrade } from "./sim-trade.ts";

/** One asset of an account: free to use, and locked by open orders. */
export interface SimBalance {
  free: Decimal;
  locked: Decimal;
}

/** How much history an account keeps. */
export interface SimAccountLimits {
  /** Closed orders kept queryable; the oldest is forgotten beyond this (default 100,000). */
  readonly maxClosedOrders: number;
  /** Trades kept per symbol for myTrades; the oldest are dropped beyond this (default 100,000). */
  readonly maxTradesPerSymbol: number;
}

/**
 * A simulated spot account: balances (free/locked), open orders, recently closed orders and trades.
 * Open orders are never evicted. Closed orders: the last `maxClosedOrders` stay queryable (a FIFO
 * evicts the oldest in amortised O(1)). Trades: at least the last `maxTradesPerSymbol` per symbol
 * (the oldest are dropped in batches of 1% so eviction stays amortised O(1)); `droppedTrades` counts what went.
 */
export class SimAccount {
  readonly id: string;
  /** Binance's numeric account id, reported by `GET /api/v3/account`. */
  readonly uid: number;
  makerRate: Decimal;
  takerRate: Decimal;
  /** Time of the last balance change, ms. */
  updateTime = 0;
  droppedTrades = 0;
  readonly balances = new Map<string, SimBalance>();
  /** Open orders by orderId, in placement order. */
  readonly openOrders = new Map<number, SimOrder>();
  readonly #openByClientId = new Map<string, SimOrder>();
  readonly #closed = new Map<number, SimOrder>();
  /** Closed orders oldest first, from index #closedHead (a FIFO without Map iteration, whose cost grows with deletions). */
  readonly #closedFifo: SimOrder[] = [];
  #closedHead = 0;
  readonly #closedByClientId = new Map<string, SimOrder>();
  readonly #trades = new Map<string, SimTrade[]>();
  readonly #limits: SimAccountLimits;

  constructor(
    id: string,
    uid: number,
    balances: Readonly<Record<string, string>>,
    rates: { maker: Decimal; taker: Decimal },
    limits: SimAccountLimits,
  ) {
    this.id = id;
    this.uid = uid;
    this.makerRate = rates.maker;
    this.takerRate = rates.taker;
    this.#limits = limits;
    for (const [asset, text] of Object.entries(balances)) {
      let free: Decimal;
      try {
        free = Decimal.from(text);
      } catch {
        throw new DesError(
          ErrorCode.InvalidConfig,
          `sim account ${id}: balance of ${asset} is not a decimal`,
          {
            accountId: id,
            asset,
          },
        );
      }
      if (free.isNegative()) {
        throw new DesError(ErrorCode.InvalidConfig, `sim account ${id}: balance of ${asset} is negative`, {
          accountId: id,
          asset,
        });
      }
      this.balances.set(asset, { free, locked: Decimal.ZERO });
    }
  }

  /** Returns the asset's balance, creating a zero one on first use. */
  balance(asset: string): SimBalance {
    let b = this.balances.get(asset);
    if (b === undefined) {
      b = { free: Decimal.ZERO, locked: Decimal.ZERO };
      this.balances.set(asset, b);
    }
    return b;
  }

  /** Returns the open order with this client order id. */
  openByClientId(clientOrderId: string): SimOrder | undefined {
    return this.#openByClientId.get(clientOrderId);
  }

  /** Registers a new open order. */
  addOpen(order: SimOrder): void {
    this.openOrders.set(order.orderId, order);
    this.#openByClientId.set(order.clientOrderId, order);
  }

  /** Moves a finished order from the open set to the bounded closed history. */
  close(order: SimOrder): void {
    if (!this.openOrders.delete(order.orderId)) return;
    if (this.#openByClientId.get(order.clientOrderId) === order)
      this.#openByClientId.delete(order.clientOrderId);
    this.#closed.set(order.orderId, order);
    this.#closedByClientId.set(order.clientOrderId, order);
    this.#closedFifo.push(order);
    if (this.#closed.size > this.#limits.maxClosedOrders) {
      const oldest = this.#closedFifo[this.#closedHead++] as SimOrder;
      if (this.#closedHead >= 1024 && this.#closedHead * 2 >= this.#closedFifo.length) {
        this.#closedFifo.splice(0, this.#closedHead);
        this.#closedHead = 0;
      }
      this.#closed.delete(oldest.orderId);
      if (this.#closedByClientId.get(oldest.clientOrderId) === oldest) {
        this.#closedByClientId.delete(oldest.clientOrderId);
      }
    }
  }

  /** Returns an open or remembered closed order by its id. */
  findOrder(orderId: number): SimOrder | undefined {
    return this.openOrders.get(orderId) ?? this.#closed.get(orderId);
  }

  /** Returns the open order with this client id, else the latest remembered closed one. */
  findByClientId(clientOrderId: string): SimOrder | undefined {
    return this.#openByClientId.get(clientOrderId) ?? this.#closedByClientId.get(clientOrderId);
  }

  /** Records a fill for myTrades. */
  addTrade(trade: SimTrade): void {
    let list = this.#trades.get(trade.symbol);
    if (list === undefined) {
      list = [];
      this.#trades.set(trade.symbol, list);
    }
    list.push(trade);
    const max = this.#limits.maxTradesPerSymbol;
    if (list.length > max + Math.ceil(max / 100)) {
      const drop = list.length - max;
      list.splice(0, drop);
      this.droppedTrades += drop;
    }
  }

  /** Returns the kept trades of a symbol, oldest first (ascending trade id and time). */
  trades(symbol: string): readonly SimTrade[] {
    return this.#trades.get(symbol) ?? [];
  }
}
