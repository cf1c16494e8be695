/**
 * Versioned schema migrations for the embedded SQLite store. Each entry runs once, in order, inside a
 * transaction, and is recorded in schema_migrations. Decimals are TEXT (exact), never REAL.
 */
export const SQLITE_MIGRATIONS: ReadonlyArray<{ version: number; name: string; up: string }> = [
  {
    version: 1,
    name: "core tables",
    up: `
      CREATE TABLE strategy_state (
        strategy_id TEXT PRIMARY KEY,
        state_json  TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
      );
      CREATE TABLE orders (
        client_order_id TEXT PRIMARY KEY,
        strategy_id     TEXT NOT NULL,
        instrument_id   TEXT NOT NULL,
        status          TEXT NOT NULL,
        venue_order_id  TEXT,
        reason          TEXT,
        updated_at      INTEGER NOT NULL
      );
      CREATE INDEX orders_strategy ON orders (strategy_id);
      CREATE TABLE fills (
        account_id       TEXT NOT NULL,
        trade_id         TEXT NOT NULL,
        client_order_id  TEXT NOT NULL,
        strategy_id      TEXT NOT NULL,
        instrument_id    TEXT NOT NULL,
        side             TEXT NOT NULL,
        quantity         TEXT NOT NULL,
        price            TEXT NOT NULL,
        commission       TEXT NOT NULL,
        commission_asset TEXT NOT NULL,
        liquidity        TEXT NOT NULL,
        ts               INTEGER NOT NULL,
        PRIMARY KEY (account_id, trade_id)
      );
      CREATE INDEX fills_strategy ON fills (strategy_id, ts);
      CREATE TABLE signals (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        strategy_id   TEXT NOT NULL,
        instrument_id TEXT NOT NULL,
        action        TEXT NOT NULL,
        reason        TEXT NOT NULL,
        ts            INTEGER NOT NULL
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
        quantity        TEXT NOT NULL,
        price           TEXT,
        stop_price      TEXT,
        time_in_force   TEXT NOT NULL,
        reduce_only     INTEGER NOT NULL,
        created_at      INTEGER NOT NULL,
        sent_at         INTEGER NOT NULL,
        done_at         INTEGER,
        final_status    TEXT
      );
      CREATE INDEX order_intents_open ON order_intents (done_at) WHERE done_at IS NULL;
      CREATE INDEX fills_order ON fills (client_order_id);
    `,
  },
];
