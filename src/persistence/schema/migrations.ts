import { dialectSql } from "../sql/column-types.ts";
import type { SqlDialect } from "../sql/sql-types.ts";

/** One schema change, written once for both dialects with type markers (see dialectSql). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
  /** Undoes `up`; absent where undoing would lose data that cannot be rebuilt. */
  readonly down?: string;
  /** Statements run after `up` in the same transaction where the dialects differ (backfills of existing rows). */
  readonly upAfter?: Partial<Record<SqlDialect, string>>;
}

/**
 * The versioned schema of DES, applied in order, each in its own transaction and recorded in
 * schema_migrations. The same list runs on SQLite and PostgreSQL (decimals: TEXT vs NUMERIC, never
 * floating point; timestamps: integer microseconds). Never edit an applied migration: add one.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "core tables",
    up: `
      CREATE TABLE strategy_state (
        strategy_id TEXT PRIMARY KEY,
        state_json  {json} NOT NULL,
        updated_at  {integer} NOT NULL
      );
      CREATE TABLE orders (
        client_order_id TEXT PRIMARY KEY,
        strategy_id     TEXT NOT NULL,
        instrument_id   TEXT NOT NULL,
        status          TEXT NOT NULL,
        venue_order_id  TEXT,
        reason          TEXT,
        updated_at      {integer} NOT NULL
      );
      CREATE INDEX orders_strategy ON orders (strategy_id);
      CREATE TABLE fills (
        account_id       TEXT NOT NULL,
        trade_id         TEXT NOT NULL,
        client_order_id  TEXT NOT NULL,
        strategy_id      TEXT NOT NULL,
        instrument_id    TEXT NOT NULL,
        side             TEXT NOT NULL,
        quantity         {decimal} NOT NULL,
        price            {decimal} NOT NULL,
        commission       {decimal} NOT NULL,
        commission_asset TEXT NOT NULL,
        liquidity        TEXT NOT NULL,
        ts               {integer} NOT NULL,
        PRIMARY KEY (account_id, trade_id)
      );
      CREATE INDEX fills_strategy ON fills (strategy_id, ts);
      CREATE TABLE signals (
        id            {serial},
        strategy_id   TEXT NOT NULL,
        instrument_id TEXT NOT NULL,
        action        TEXT NOT NULL,
        reason        TEXT NOT NULL,
        ts            {integer} NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "order intents journal",
    up: `
      CREATE TABLE order_intents (
        client_order_id TEXT PRIMARY KEY,
        strategy_id     TEXT NOT NULL,
        instrument_id   TEXT NOT NULL,
        side            TEXT NOT NULL,
        type            TEXT NOT NULL,
        quantity        {decimal} NOT NULL,
        price           {decimal},
        stop_price      {decimal},
        time_in_force   TEXT NOT NULL,
        reduce_only     {boolean} NOT NULL,
        created_at      {integer} NOT NULL,
        sent_at         {integer} NOT NULL,
        done_at         {integer},
        final_status    TEXT
      );
      CREATE INDEX order_intents_open ON order_intents (done_at) WHERE done_at IS NULL;
      CREATE INDEX fills_order ON fills (client_order_id);
    `,
    down: "DROP INDEX fills_order; DROP TABLE order_intents;",
  },
  {
    version: 3,
    name: "repositories: status history, positions, balances, strategy instances, risk counters, equity, audit",
    up: `
      CREATE TABLE order_status_history (
        client_order_id TEXT NOT NULL,
        event_id        TEXT NOT NULL,
        status          TEXT NOT NULL,
        venue_order_id  TEXT,
        reason          TEXT,
        ts              {integer} NOT NULL,
        PRIMARY KEY (client_order_id, event_id)
      );
      CREATE TABLE positions (
        book_id       TEXT NOT NULL,
        instrument_id TEXT NOT NULL,
        quantity      {decimal} NOT NULL,
        average_price {decimal} NOT NULL,
        realized_pnl  {decimal} NOT NULL,
        fees_json     {json} NOT NULL,
        updated_at    {integer} NOT NULL,
        PRIMARY KEY (book_id, instrument_id)
      );
      CREATE TABLE balances (
        account_id TEXT NOT NULL,
        asset      TEXT NOT NULL,
        free       {decimal} NOT NULL,
        locked     {decimal} NOT NULL,
        updated_at {integer} NOT NULL,
        PRIMARY KEY (account_id, asset)
      );
      CREATE TABLE strategy_instances (
        strategy_id   TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        instrument_id TEXT NOT NULL,
        config_json   {json} NOT NULL,
        params_json   {json} NOT NULL,
        status        TEXT NOT NULL,
        updated_at    {integer} NOT NULL
      );
      CREATE TABLE risk_counters (
        scope         TEXT PRIMARY KEY,
        day           TEXT NOT NULL,
        snapshot_json {json} NOT NULL,
        updated_at    {integer} NOT NULL
      );
      CREATE TABLE equity_snapshots (
        book_id    TEXT NOT NULL,
        ts         {integer} NOT NULL,
        equity     {decimal} NOT NULL,
        realized   {decimal} NOT NULL,
        unrealized {decimal} NOT NULL,
        fees       {decimal} NOT NULL,
        PRIMARY KEY (book_id, ts)
      );
      CREATE TABLE audit_events (
        event_id    TEXT PRIMARY KEY,
        ts          {integer} NOT NULL,
        actor       TEXT NOT NULL,
        action      TEXT NOT NULL,
        subject     TEXT NOT NULL,
        detail_json {json} NOT NULL
      );
      CREATE INDEX audit_events_ts ON audit_events (ts);
      CREATE INDEX orders_open ON orders (status)
        WHERE status NOT IN ('FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'DENIED');
      CREATE INDEX signals_strategy_ts ON signals (strategy_id, ts);
    `,
    down: `
      DROP INDEX signals_strategy_ts; DROP INDEX orders_open;
      DROP TABLE audit_events; DROP TABLE equity_snapshots; DROP TABLE risk_counters;
      DROP TABLE strategy_instances; DROP TABLE balances; DROP TABLE positions;
      DROP TABLE order_status_history;
    `,
  },
  {
    version: 4,
    name: "fills.seq: the order the portfolio applied fills in, for restart replay on any database",
    up: `
      ALTER TABLE fills ADD COLUMN seq {integer};
      CREATE INDEX fills_account_seq ON fills (account_id, seq);
    `,
    upAfter: {
      // SQLite appended fills in the order they were applied: rowid is that order.
      sqlite: "UPDATE fills SET seq = rowid",
      // PostgreSQL held fills only by copy from SQLite before this version: time order, then trade id.
      postgres: `UPDATE fills f SET seq = o.n
        FROM (SELECT account_id, trade_id, row_number() OVER (ORDER BY ts, trade_id) AS n FROM fills) o
        WHERE f.account_id = o.account_id AND f.trade_id = o.trade_id`,
    },
    down: "DROP INDEX fills_account_seq; ALTER TABLE fills DROP COLUMN seq;",
  },
];

/** The newest schema version DES knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The SQL of a migration step for a dialect. */
export function migrationSql(m: Migration, direction: "up" | "down", dialect: SqlDialect): string {
  const sql = direction === "up" ? `${m.up};\n${m.upAfter?.[dialect] ?? ""}` : m.down;
  if (sql === undefined) throw new Error(`migration ${m.version} (${m.name}) has no down step`);
  return dialectSql(sql, dialect);
}
