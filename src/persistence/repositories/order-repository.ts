import type { ClientOrderId, InstrumentId, StrategyId, UnixMicros, VenueOrderId } from "../../core/index.ts";
import { isTerminalStatus, ORDER_TRANSITIONS, type OrderEvent, type OrderStatus } from "../../model/index.ts";
import type { SqlExecutor, SqlRow } from "../sql/sql-types.ts";
import { type OrderStatusChange, orderEventRow } from "./order-status-change.ts";
import { countOf, microsOf, optionalTextOf, textOf } from "./row-values.ts";
import { orderBy } from "./text-order.ts";

/** The latest known state of an order (the orders table). */
export interface OrderRecord {
  readonly clientOrderId: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly status: OrderStatus;
  readonly venueOrderId: VenueOrderId | undefined;
  readonly reason: string | undefined;
  readonly updatedAt: UnixMicros;
}

/** Orders: the latest row per order plus its status history. */
export interface OrderRepository {
  /**
   * Applies an order event: upserts the order's latest row and appends the event to its history.
   * Idempotent (the same event twice is one history row). An event older than the stored row (or of
   * the same microsecond when the stored status is final) is kept in the history but does not move
   * the status back; it may still fill in a missing venue order id or reason.
   */
  apply(event: OrderEvent): Promise<void>;
  /** Applies events in order (see apply). */
  applyMany(events: readonly OrderEvent[]): Promise<void>;
  /** The order's latest row, or undefined. */
  get(clientOrderId: ClientOrderId): Promise<OrderRecord | undefined>;
  /** The order's status changes, oldest first (by ts, then event id within one microsecond). */
  history(clientOrderId: ClientOrderId): Promise<OrderStatusChange[]>;
  /** Orders whose status is not final (INITIALIZED, SUBMITTED, ACCEPTED, PARTIALLY_FILLED, PENDING_CANCEL), oldest update first. */
  open(): Promise<OrderRecord[]>;
  /** How many orders are stored. */
  count(): Promise<number>;
}

/** The final statuses as an SQL list literal (constants of the model, never user input). */
const FINAL_STATUSES_SQL = (Object.keys(ORDER_TRANSITIONS) as OrderStatus[])
  .filter(isTerminalStatus)
  .map((s) => `'${s}'`)
  .join(", ");

/** True in ON CONFLICT DO UPDATE when the incoming event is the order's latest state. */
const INCOMING_IS_NEWER = `(excluded.updated_at > orders.updated_at OR (excluded.updated_at = orders.updated_at AND orders.status NOT IN (${FINAL_STATUSES_SQL})))`;

const UPSERT_ORDER = `
  INSERT INTO orders (client_order_id, strategy_id, instrument_id, status, venue_order_id, reason, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (client_order_id) DO UPDATE SET
    status = CASE WHEN ${INCOMING_IS_NEWER} THEN excluded.status ELSE orders.status END,
    venue_order_id = COALESCE(excluded.venue_order_id, orders.venue_order_id),
    reason = CASE WHEN ${INCOMING_IS_NEWER} THEN COALESCE(excluded.reason, orders.reason)
                  ELSE COALESCE(orders.reason, excluded.reason) END,
    updated_at = CASE WHEN ${INCOMING_IS_NEWER} THEN excluded.updated_at ELSE orders.updated_at END`;

const INSERT_HISTORY = `
  INSERT INTO order_status_history (client_order_id, event_id, status, venue_order_id, reason, ts)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (client_order_id, event_id) DO NOTHING`;

const ORDER_COLUMNS =
  "client_order_id, strategy_id, instrument_id, status, venue_order_id, reason, updated_at";

/** OrderRepository on the SQL port (SQLite or PostgreSQL, the same statements). */
export class SqlOrderRepository implements OrderRepository {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  async apply(event: OrderEvent): Promise<void> {
    const row = orderEventRow(event);
    const venueOrderId = row.venueOrderId ?? null;
    const reason = row.reason ?? null;
    await this.#db.execute(UPSERT_ORDER, [
      row.clientOrderId,
      row.strategyId,
      row.instrumentId,
      row.status,
      venueOrderId,
      reason,
      row.ts,
    ]);
    await this.#db.execute(INSERT_HISTORY, [
      row.clientOrderId,
      row.eventId,
      row.status,
      venueOrderId,
      reason,
      row.ts,
    ]);
  }

  async applyMany(events: readonly OrderEvent[]): Promise<void> {
    for (const event of events) await this.apply(event);
  }

  async get(clientOrderId: ClientOrderId): Promise<OrderRecord | undefined> {
    const rows = await this.#db.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE client_order_id = ?`, [
      clientOrderId,
    ]);
    return rows[0] === undefined ? undefined : orderRecordOf(rows[0]);
  }

  async history(clientOrderId: ClientOrderId): Promise<OrderStatusChange[]> {
    const rows = await this.#db.query(
      `SELECT client_order_id, event_id, status, venue_order_id, reason, ts FROM order_status_history
       WHERE client_order_id = ? ORDER BY ${orderBy(this.#db.dialect, "ts", "text:event_id")}`,
      [clientOrderId],
    );
    return rows.map((r) => ({
      clientOrderId: textOf(r, "client_order_id") as ClientOrderId,
      eventId: textOf(r, "event_id"),
      status: textOf(r, "status") as OrderStatus,
      venueOrderId: optionalTextOf(r, "venue_order_id") as VenueOrderId | undefined,
      reason: optionalTextOf(r, "reason"),
      ts: microsOf(r, "ts"),
    }));
  }

  async open(): Promise<OrderRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE status NOT IN (${FINAL_STATUSES_SQL})
       ORDER BY ${orderBy(this.#db.dialect, "updated_at", "text:client_order_id")}`,
    );
    return rows.map(orderRecordOf);
  }

  async count(): Promise<number> {
    return countOf(await this.#db.query("SELECT COUNT(*) AS n FROM orders"));
  }
}

function orderRecordOf(r: SqlRow): OrderRecord {
  return {
    clientOrderId: textOf(r, "client_order_id") as ClientOrderId,
    strategyId: textOf(r, "strategy_id") as StrategyId,
    instrumentId: textOf(r, "instrument_id") as InstrumentId,
    status: textOf(r, "status") as OrderStatus,
    venueOrderId: optionalTextOf(r, "venue_order_id") as VenueOrderId | undefined,
    reason: optionalTextOf(r, "reason"),
    updatedAt: microsOf(r, "updated_at"),
  };
}
