/**
 * Rows for the migration tests (not used by DES itself): deterministic rows of every table, with the
 * awkward values a copy must keep exactly (decimals with trailing zeros, NULLs, tabs and newlines in
 * text, non-ASCII keys, integers past 2^32).
 */
import { TABLES } from "../schema/tables.ts";
import type { SqlDriver, SqlRow } from "../sql/sql-types.ts";

/** A fill; `i` picks the account (i % 3) and the trade id. */
export function fillRow(i: number): SqlRow {
  return {
    account_id: `acct-${i % 3}`,
    trade_id: `t${String(i).padStart(9, "0")}`,
    client_order_id: `o${Math.floor(i / 2)}`,
    strategy_id: `s${i % 7}`,
    instrument_id: i % 2 === 0 ? "BTCUSDT" : "ETHUSDT",
    side: i % 2 === 0 ? "BUY" : "SELL",
    quantity: `0.${String((i % 997) + 1).padStart(4, "0")}0`,
    price: `${60000 + (i % 1000)}.5`,
    commission: i % 5 === 0 ? "0" : "0.00012",
    commission_asset: "USDT",
    liquidity: i % 2 === 0 ? "MAKER" : "TAKER",
    ts: 1_700_000_000_000_000 + i * 1000,
  };
}

/** An order (one per `i`), with NULLs and a reason holding a tab and a newline. */
export function orderRow(i: number, status = "NEW"): SqlRow {
  return {
    client_order_id: `o${i}`,
    strategy_id: `s${i % 7}`,
    instrument_id: "BTCUSDT",
    status,
    venue_order_id: i % 2 === 0 ? null : `v${i}`,
    reason: i % 3 === 0 ? "line one\tcol\nline two" : null,
    updated_at: 1_700_000_000_000_000 + i,
  };
}

/** A signal with an explicit id. */
export function signalRow(id: number): SqlRow {
  return {
    id,
    strategy_id: `s${id % 7}`,
    instrument_id: "BTCUSDT",
    action: id % 2 === 0 ? "BUY" : "HOLD",
    reason: `crossed ${id}`,
    ts: 1_700_000_000_000_000 + id,
  };
}

/** A balance; the asset key includes non-ASCII text (collations differ on it). */
export function balanceRow(i: number): SqlRow {
  const assets = ["USDT", "BTC", "ÉTH", "ärger", "Zeta", "zeta", "日本"];
  return {
    account_id: `acct-${i % 2}`,
    asset: `${assets[i % assets.length]}${Math.floor(i / assets.length)}`,
    free: `${i}.10`,
    locked: "0.000",
    updated_at: 1_700_000_000_000_000 + i,
  };
}

/** Writes `n` rows into fills, orders, signals, balances and one row into each other table. */
export async function seedDatabase(db: SqlDriver, n: number): Promise<void> {
  const range = (count: number) => Array.from({ length: count }, (_, i) => i);
  await db.transaction(async (tx) => {
    await tx.writeRows(TABLES.fills, range(n).map(fillRow), "insert");
    await tx.writeRows(
      TABLES.orders,
      range(n).map((i) => orderRow(i)),
      "insert",
    );
    await tx.writeRows(
      TABLES.signals,
      range(n).map((i) => signalRow(i + 1)),
      "insert",
    );
    await tx.writeRows(TABLES.balances, range(n).map(balanceRow), "insert");
    await tx.writeRows(
      TABLES.strategyState,
      [{ strategy_id: "s1", state_json: '{"n":1,"x":"a\\tb"}', updated_at: 1 }],
      "insert",
    );
    await tx.writeRows(
      TABLES.positions,
      [
        {
          book_id: "s1",
          instrument_id: "BTCUSDT",
          quantity: "1.2500",
          average_price: "60000.10",
          realized_pnl: "-3.5",
          fees_json: '{"USDT":"0.1"}',
          updated_at: 2,
        },
      ],
      "insert",
    );
    await tx.writeRows(
      TABLES.equitySnapshots,
      [
        {
          book_id: "s1",
          ts: 5_000_000_000,
          equity: "1000.00",
          realized: "0",
          unrealized: "-0.5",
          fees: "0.1",
        },
      ],
      "insert",
    );
    await tx.writeRows(
      TABLES.auditEvents,
      [{ event_id: "e1", ts: 3, actor: "op", action: "pause", subject: "s1", detail_json: "{}" }],
      "insert",
    );
  });
}

/**
 * A driver that forwards to another and fails on demand: while `failing` is true, every write
 * (execute, writeRows, transaction) throws a connection error before reaching the database, as a
 * killed connection would. Reads pass.
 */
export class FlakyDriver implements SqlDriver {
  readonly inner: SqlDriver;
  failing = false;
  /** Writes refused so far. */
  refused = 0;

  constructor(inner: SqlDriver) {
    this.inner = inner;
  }

  get dialect() {
    return this.inner.dialect;
  }

  query: SqlDriver["query"] = (sql, params) => this.inner.query(sql, params);

  execute: SqlDriver["execute"] = async (sql, params) => {
    this.#check();
    return this.inner.execute(sql, params);
  };

  writeRows: SqlDriver["writeRows"] = async (table, rows, mode) => {
    this.#check();
    return this.inner.writeRows(table, rows, mode);
  };

  transaction: SqlDriver["transaction"] = async (work) => {
    this.#check();
    return this.inner.transaction(work);
  };

  close(): Promise<void> {
    return this.inner.close();
  }

  #check(): void {
    if (this.failing) {
      this.refused++;
      throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "ECONNRESET" });
    }
  }
}
