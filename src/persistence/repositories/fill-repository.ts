import type {
  AccountId,
  ClientOrderId,
  Decimal,
  InstrumentId,
  StrategyId,
  TradeId,
  UnixMicros,
  VenueOrderId,
} from "../../core/index.ts";
import type { Liquidity, OrderFilled, OrderSide, OrderStatus } from "../../model/index.ts";
import { TABLES } from "../schema/tables.ts";
import type { SqlExecutor, SqlRow } from "../sql/sql-types.ts";
import { decimalOf, decimalText, microsOf, textOf } from "./row-values.ts";
import { orderBy } from "./text-order.ts";
import { writeRows } from "./write-rows.ts";

/** One fill as stored: keyed by (account, venue trade id), which makes it apply exactly once. */
export interface FillRecord {
  readonly accountId: AccountId;
  readonly tradeId: TradeId;
  readonly clientOrderId: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly liquidity: Liquidity;
  readonly ts: UnixMicros;
  /** The order DES applied the fill to its books in (increasing; undefined for fills from before it was kept). */
  readonly seq?: number;
}

/** Fills, append-only and idempotent by (account, trade id). */
export interface FillRepository {
  /** Appends one fill; returns false (and writes nothing) when its (account, trade id) is already stored. */
  append(fill: FillRecord): Promise<boolean>;
  /** Appends fills in bulk; those already stored are skipped. */
  appendMany(fills: readonly FillRecord[]): Promise<void>;
  /** The fill of an (account, trade id), or undefined. */
  get(accountId: AccountId, tradeId: TradeId): Promise<FillRecord | undefined>;
  /** The fills of an order, oldest first (by ts, then trade id). */
  byOrder(clientOrderId: ClientOrderId): Promise<FillRecord[]>;
  /** The fills of an account, oldest first (by ts, then trade id). */
  byAccount(accountId: AccountId): Promise<FillRecord[]>;
  /**
   * At most `limit` fills of an account with a seq above `afterSeq`, by seq: the order they were applied
   * to the books, what a portfolio is rebuilt from (page with the last seq returned).
   */
  byAccountAfterSeq(accountId: AccountId, afterSeq: number, limit: number): Promise<FillRecord[]>;
  /** The seq of a stored fill (undefined when the fill is not stored or has none). */
  seqOf(accountId: AccountId, tradeId: TradeId): Promise<number | undefined>;
  /** The largest seq stored (0 when none). */
  maxSeq(): Promise<number>;
}

/** The fill an OrderFilled event records (`seq`: the order it was applied in, when the caller keeps it). */
export function fillRecordOf(event: OrderFilled, seq?: number): FillRecord {
  return {
    ...(seq === undefined ? {} : { seq }),
    accountId: event.accountId,
    tradeId: event.tradeId,
    clientOrderId: event.clientOrderId,
    strategyId: event.strategyId,
    instrumentId: event.instrumentId,
    side: event.side,
    quantity: event.lastQty,
    price: event.lastPrice,
    commission: event.commission,
    commissionAsset: event.commissionAsset,
    liquidity: event.liquidity,
    ts: event.ts,
  };
}

const COLUMNS = TABLES.fills.columns.map((c) => c.name).join(", ");
const INSERT_ONE = `INSERT INTO fills (${COLUMNS}) VALUES (${TABLES.fills.columns.map(() => "?").join(", ")})
  ON CONFLICT (account_id, trade_id) DO NOTHING`;

/** FillRepository on the SQL port. */
export class SqlFillRepository implements FillRepository {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  /** Time order, ties by trade id; built per query because a dual-write's dialect changes at a switch of primary. */
  get #byTime(): string {
    return orderBy(this.#db.dialect, "ts", "text:trade_id");
  }

  async append(fill: FillRecord): Promise<boolean> {
    const row = fillRow(fill);
    const changed = await this.#db.execute(
      INSERT_ONE,
      TABLES.fills.columns.map((c) => row[c.name] ?? null),
    );
    return changed > 0;
  }

  async appendMany(fills: readonly FillRecord[]): Promise<void> {
    if (fills.length === 0) return;
    await writeRows(this.#db, TABLES.fills, fills.map(fillRow), "ignore");
  }

  async get(accountId: AccountId, tradeId: TradeId): Promise<FillRecord | undefined> {
    const rows = await this.#db.query(`SELECT ${COLUMNS} FROM fills WHERE account_id = ? AND trade_id = ?`, [
      accountId,
      tradeId,
    ]);
    return rows[0] === undefined ? undefined : fillOf(rows[0]);
  }

  async byOrder(clientOrderId: ClientOrderId): Promise<FillRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM fills WHERE client_order_id = ? ORDER BY ${this.#byTime}`,
      [clientOrderId],
    );
    return rows.map(fillOf);
  }

  async byAccount(accountId: AccountId): Promise<FillRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM fills WHERE account_id = ? ORDER BY ${this.#byTime}`,
      [accountId],
    );
    return rows.map(fillOf);
  }

  async byAccountAfterSeq(accountId: AccountId, afterSeq: number, limit: number): Promise<FillRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM fills WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      [accountId, afterSeq, limit],
    );
    return rows.map(fillOf);
  }

  async seqOf(accountId: AccountId, tradeId: TradeId): Promise<number | undefined> {
    const rows = await this.#db.query("SELECT seq FROM fills WHERE account_id = ? AND trade_id = ?", [
      accountId,
      tradeId,
    ]);
    const seq = rows[0]?.["seq"];
    return seq === undefined || seq === null ? undefined : Number(seq);
  }

  async maxSeq(): Promise<number> {
    const rows = await this.#db.query("SELECT MAX(seq) AS m FROM fills");
    return Number(rows[0]?.["m"] ?? 0);
  }
}

/** The fills-table row of a fill. */
export function fillRow(f: FillRecord): SqlRow {
  return {
    account_id: f.accountId,
    trade_id: f.tradeId,
    client_order_id: f.clientOrderId,
    strategy_id: f.strategyId,
    instrument_id: f.instrumentId,
    side: f.side,
    quantity: decimalText(f.quantity),
    price: decimalText(f.price),
    commission: decimalText(f.commission),
    commission_asset: f.commissionAsset,
    liquidity: f.liquidity,
    ts: f.ts,
    seq: f.seq ?? null,
  };
}

/** The fill a fills-table row holds. */
export function fillOf(r: SqlRow): FillRecord {
  return {
    accountId: textOf(r, "account_id") as AccountId,
    tradeId: textOf(r, "trade_id") as TradeId,
    clientOrderId: textOf(r, "client_order_id") as ClientOrderId,
    strategyId: textOf(r, "strategy_id") as StrategyId,
    instrumentId: textOf(r, "instrument_id") as InstrumentId,
    side: textOf(r, "side") as OrderSide,
    quantity: decimalOf(r, "quantity"),
    price: decimalOf(r, "price"),
    commission: decimalOf(r, "commission"),
    commissionAsset: textOf(r, "commission_asset"),
    liquidity: textOf(r, "liquidity") as Liquidity,
    ts: microsOf(r, "ts"),
    ...(r["seq"] === null || r["seq"] === undefined ? {} : { seq: Number(r["seq"]) }),
  };
}

/**
 * The columns a query selects next to `f.*` (fills f LEFT JOIN orders o ON the client order id) for
 * filledEventOf: the order's venue order id and status.
 */
export const FILLED_EVENT_ORDER_COLUMNS =
  "o.venue_order_id AS order_venue_order_id, o.status AS order_status";

/**
 * The OrderFilled event a stored fill was: a fills row joined with its order (FILLED_EVENT_ORDER_COLUMNS;
 * without an order row, an empty venue order id and FILLED). What a restart replays into the books.
 */
export function filledEventOf(r: SqlRow): OrderFilled {
  const f = fillOf(r);
  return {
    kind: "OrderFilled",
    clientOrderId: f.clientOrderId,
    strategyId: f.strategyId,
    instrumentId: f.instrumentId,
    accountId: f.accountId,
    venueOrderId: String(r["order_venue_order_id"] ?? "") as VenueOrderId,
    tradeId: f.tradeId,
    side: f.side,
    lastQty: f.quantity,
    lastPrice: f.price,
    commission: f.commission,
    commissionAsset: f.commissionAsset,
    liquidity: f.liquidity,
    orderStatus: (r["order_status"] ?? "FILLED") as OrderStatus,
    ts: f.ts,
  };
}
