import type { ColumnSpec, TableSpec } from "../sql/sql-types.ts";

const text = (name: string, nullable = false): ColumnSpec => ({ name, type: "text", nullable });
const decimal = (name: string, nullable = false): ColumnSpec => ({ name, type: "decimal", nullable });
const integer = (name: string, nullable = false): ColumnSpec => ({ name, type: "integer", nullable });
const boolean = (name: string): ColumnSpec => ({ name, type: "boolean" });
const json = (name: string): ColumnSpec => ({ name, type: "json" });

/** Every table of the schema (migrations.ts creates them), as the repositories and tools see them. */
export const TABLES = {
  strategyState: {
    name: "strategy_state",
    columns: [text("strategy_id"), json("state_json"), integer("updated_at")],
    primaryKey: ["strategy_id"],
  },
  orders: {
    name: "orders",
    columns: [
      text("client_order_id"),
      text("strategy_id"),
      text("instrument_id"),
      text("status"),
      text("venue_order_id", true),
      text("reason", true),
      integer("updated_at"),
    ],
    primaryKey: ["client_order_id"],
  },
  orderStatusHistory: {
    name: "order_status_history",
    columns: [
      text("client_order_id"),
      text("event_id"),
      text("status"),
      text("venue_order_id", true),
      text("reason", true),
      integer("ts"),
    ],
    primaryKey: ["client_order_id", "event_id"],
  },
  fills: {
    name: "fills",
    columns: [
      text("account_id"),
      text("trade_id"),
      text("client_order_id"),
      text("strategy_id"),
      text("instrument_id"),
      text("side"),
      decimal("quantity"),
      decimal("price"),
      decimal("commission"),
      text("commission_asset"),
      text("liquidity"),
      integer("ts"),
      // The order DES applied the fill to its books in (assigned by the store; restart replay order).
      integer("seq", true),
    ],
    primaryKey: ["account_id", "trade_id"],
  },
  signals: {
    name: "signals",
    columns: [
      integer("id"),
      text("strategy_id"),
      text("instrument_id"),
      text("action"),
      text("reason"),
      integer("ts"),
    ],
    primaryKey: ["id"],
  },
  orderIntents: {
    name: "order_intents",
    columns: [
      text("client_order_id"),
      text("strategy_id"),
      text("instrument_id"),
      text("side"),
      text("type"),
      decimal("quantity"),
      decimal("price", true),
      decimal("stop_price", true),
      text("time_in_force"),
      boolean("reduce_only"),
      integer("created_at"),
      integer("sent_at"),
      integer("done_at", true),
      text("final_status", true),
    ],
    primaryKey: ["client_order_id"],
  },
  positions: {
    name: "positions",
    columns: [
      text("book_id"),
      text("instrument_id"),
      decimal("quantity"),
      decimal("average_price"),
      decimal("realized_pnl"),
      json("fees_json"),
      integer("updated_at"),
    ],
    primaryKey: ["book_id", "instrument_id"],
  },
  balances: {
    name: "balances",
    columns: [text("account_id"), text("asset"), decimal("free"), decimal("locked"), integer("updated_at")],
    primaryKey: ["account_id", "asset"],
  },
  strategyInstances: {
    name: "strategy_instances",
    columns: [
      text("strategy_id"),
      text("kind"),
      text("instrument_id"),
      json("config_json"),
      json("params_json"),
      text("status"),
      integer("updated_at"),
    ],
    primaryKey: ["strategy_id"],
  },
  riskCounters: {
    name: "risk_counters",
    columns: [text("scope"), text("day"), json("snapshot_json"), integer("updated_at")],
    primaryKey: ["scope"],
  },
  equitySnapshots: {
    name: "equity_snapshots",
    columns: [
      text("book_id"),
      integer("ts"),
      decimal("equity"),
      decimal("realized"),
      decimal("unrealized"),
      decimal("fees"),
    ],
    primaryKey: ["book_id", "ts"],
  },
  auditEvents: {
    name: "audit_events",
    columns: [
      text("event_id"),
      integer("ts"),
      text("actor"),
      text("action"),
      text("subject"),
      json("detail_json"),
    ],
    primaryKey: ["event_id"],
  },
} as const satisfies Record<string, TableSpec>;

/** Every table, in an order that copies safely (no table refers to a later one). */
export const ALL_TABLES: readonly TableSpec[] = Object.values(TABLES);
