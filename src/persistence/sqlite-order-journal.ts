import type { DatabaseSync, StatementSync } from "node:sqlite";
import {
  type ClientOrderId,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  type StrategyId,
  type TradeId,
  toError,
  type UnixMicros,
  type VenueOrderId,
} from "../core/index.ts";
import type { BookedFill, Order, OrderSide, OrderTerms, OrderType, TimeInForce } from "../model/index.ts";

/** An order intent read back from the journal: not yet done (its venue outcome was not known). */
export interface JournaledOrder extends OrderTerms {
  readonly reduceOnly: boolean;
  /** When it was last handed to the venue (or about to be). */
  readonly sentAt: UnixMicros;
  /** The last status the orders table holds for it (SUBMITTED when no event was written yet). */
  readonly lastStatus: string;
  readonly venueOrderId: VenueOrderId | undefined;
  /** The fills the store holds for it, ascending time: their trade ids and quantities. */
  readonly fills: readonly BookedFill[];
}

/** Order statuses after which an intent is done. */
const FINAL_STATUSES = new Set(["FILLED", "CANCELED", "REJECTED", "EXPIRED", "DENIED"]);

/** Returns true when an order in this status needs nothing more from the venue. */
export function isFinalStoredStatus(status: string): boolean {
  return FINAL_STATUSES.has(status);
}

/**
 * The order intent journal: every order is written here, synchronously (committed, so it survives a
 * crash of DES), before it is sent to a venue whose orders outlive DES. The intent is marked done in
 * the same transaction as the order event that ends it (written by the store's batch, after its
 * fills), so an intent not done after a crash is exactly an order whose outcome or fills DES may
 * not have stored: start-up recovery asks the venue about each.
 */
export class SqliteOrderJournal {
  readonly #db: DatabaseSync;
  readonly #record: StatementSync;
  readonly #markDone: StatementSync;
  readonly #open: StatementSync;
  readonly #fillsOf: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#record = db.prepare(
      `INSERT INTO order_intents (client_order_id, strategy_id, instrument_id, side, type, quantity, price,
         stop_price, time_in_force, reduce_only, created_at, sent_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (client_order_id) DO UPDATE SET sent_at = excluded.sent_at`,
    );
    this.#markDone = db.prepare(
      "UPDATE order_intents SET done_at = ?, final_status = ? WHERE client_order_id = ? AND done_at IS NULL",
    );
    this.#open = db.prepare(
      `SELECT i.*, o.status AS last_status, o.venue_order_id AS venue_order_id
       FROM order_intents i LEFT JOIN orders o ON o.client_order_id = i.client_order_id
       WHERE i.done_at IS NULL ORDER BY i.created_at, i.client_order_id`,
    );
    this.#fillsOf = db.prepare(
      "SELECT trade_id, quantity, price FROM fills WHERE client_order_id = ? ORDER BY ts, rowid",
    );
  }

  /**
   * Writes the intent (committed before this returns); a repeated send of the same order only
   * updates its send time. Throws DES_ERR_STORE_FAILED when the write fails: the order must then
   * not be sent.
   */
  record(order: Readonly<Order>, reduceOnly: boolean, sentAt: UnixMicros): void {
    try {
      this.#record.run(
        order.clientOrderId,
        order.strategyId,
        order.instrumentId,
        order.side,
        order.type,
        order.quantity.toString(),
        order.price?.toString() ?? null,
        order.stopPrice?.toString() ?? null,
        order.timeInForce,
        reduceOnly ? 1 : 0,
        order.createdAt,
        sentAt,
      );
    } catch (e) {
      throw new DesError(
        ErrorCode.StoreFailed,
        `order journal write of ${order.clientOrderId} failed: ${toError(e).message}`,
        { clientOrderId: order.clientOrderId },
        { cause: e },
      );
    }
  }

  /** Marks the intent done when `status` is final (called inside the store's batch transaction). */
  markDoneIfFinal(clientOrderId: string, status: string, at: number): void {
    if (FINAL_STATUSES.has(status)) this.#markDone.run(at, status, clientOrderId);
  }

  /** Marks an intent done outside a batch (recovery settled it without an order event). */
  markDone(clientOrderId: string, status: string, at: number): void {
    this.#markDone.run(at, status, clientOrderId);
  }

  /** Returns the intents not done, oldest first, with what the store knows of each. */
  openIntents(): JournaledOrder[] {
    const rows = this.#open.all() as unknown as IntentRow[];
    return rows.map((r) => ({
      clientOrderId: r.client_order_id as ClientOrderId,
      strategyId: r.strategy_id as StrategyId,
      instrumentId: r.instrument_id as InstrumentId,
      side: r.side as OrderSide,
      type: r.type as OrderType,
      quantity: Decimal.from(r.quantity),
      price: r.price === null ? undefined : Decimal.from(r.price),
      stopPrice: r.stop_price === null ? undefined : Decimal.from(r.stop_price),
      timeInForce: r.time_in_force as TimeInForce,
      reduceOnly: r.reduce_only === 1,
      createdAt: r.created_at as UnixMicros,
      sentAt: r.sent_at as UnixMicros,
      lastStatus: r.last_status ?? "SUBMITTED",
      venueOrderId: (r.venue_order_id ?? undefined) as VenueOrderId | undefined,
      fills: (this.#fillsOf.all(r.client_order_id) as unknown as FillRow[]).map((f) => ({
        tradeId: f.trade_id as TradeId,
        quantity: Decimal.from(f.quantity),
        price: Decimal.from(f.price),
      })),
    }));
  }

  /** Returns how many intents are not done. */
  openCount(): number {
    return (
      this.#db.prepare("SELECT COUNT(*) AS n FROM order_intents WHERE done_at IS NULL").get() as { n: number }
    ).n;
  }
}

interface IntentRow {
  client_order_id: string;
  strategy_id: string;
  instrument_id: string;
  side: string;
  type: string;
  quantity: string;
  price: string | null;
  stop_price: string | null;
  time_in_force: string;
  reduce_only: number;
  created_at: number;
  sent_at: number;
  last_status: string | null;
  venue_order_id: string | null;
}

interface FillRow {
  trade_id: string;
  quantity: string;
  price: string;
}
