import type { AccountId, Decimal, UnixMicros } from "../../core/index.ts";
import { TABLES } from "../schema/tables.ts";
import type { SqlExecutor, SqlRow } from "../sql/sql-types.ts";
import { decimalOf, decimalText, microsOf, textOf } from "./row-values.ts";
import { orderBy } from "./text-order.ts";
import { writeRows } from "./write-rows.ts";

/** The latest balance of one asset of an account. */
export interface BalanceRecord {
  readonly accountId: AccountId;
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
  readonly updatedAt: UnixMicros;
}

/** Balances, one row per (account, asset), replaced on every change. */
export interface BalanceRepository {
  /** Writes (inserts or replaces) balances; for a key given twice the last one wins. */
  upsert(balances: readonly BalanceRecord[]): Promise<void>;
  /** The balance of one asset, or undefined. */
  get(accountId: AccountId, asset: string): Promise<BalanceRecord | undefined>;
  /** The balances of an account, by asset. */
  byAccount(accountId: AccountId): Promise<BalanceRecord[]>;
}

const COLUMNS = TABLES.balances.columns.map((c) => c.name).join(", ");

/** BalanceRepository on the SQL port. */
export class SqlBalanceRepository implements BalanceRepository {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  async upsert(balances: readonly BalanceRecord[]): Promise<void> {
    if (balances.length === 0) return;
    await writeRows(this.#db, TABLES.balances, balances.map(balanceRow), "upsert");
  }

  async get(accountId: AccountId, asset: string): Promise<BalanceRecord | undefined> {
    const rows = await this.#db.query(`SELECT ${COLUMNS} FROM balances WHERE account_id = ? AND asset = ?`, [
      accountId,
      asset,
    ]);
    return rows[0] === undefined ? undefined : balanceOf(rows[0]);
  }

  async byAccount(accountId: AccountId): Promise<BalanceRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM balances WHERE account_id = ? ORDER BY ${orderBy(this.#db.dialect, "text:asset")}`,
      [accountId],
    );
    return rows.map(balanceOf);
  }
}

function balanceRow(b: BalanceRecord): SqlRow {
  return {
    account_id: b.accountId,
    asset: b.asset,
    free: decimalText(b.free),
    locked: decimalText(b.locked),
    updated_at: b.updatedAt,
  };
}

function balanceOf(r: SqlRow): BalanceRecord {
  return {
    accountId: textOf(r, "account_id") as AccountId,
    asset: textOf(r, "asset"),
    free: decimalOf(r, "free"),
    locked: decimalOf(r, "locked"),
    updatedAt: microsOf(r, "updated_at"),
  };
}
