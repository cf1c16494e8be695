import type { UnixMicros } from "../../core/index.ts";
import { TABLES } from "../schema/tables.ts";
import type { SqlExecutor, SqlRow } from "../sql/sql-types.ts";
import { jsonOf, jsonText, microsOf, textOf } from "./row-values.ts";
import { orderBy } from "./text-order.ts";
import { writeRows } from "./write-rows.ts";

/** Something an operator or DES itself did (a kill switch, a parameter change, a config load). */
export interface AuditEventRecord {
  /** Unique id chosen by the writer; appending the same id again is a no-op. */
  readonly eventId: string;
  readonly ts: UnixMicros;
  /** Who did it ("api:operator", "risk-engine", ...). */
  readonly actor: string;
  /** What was done ("kill-switch.on", "strategy.params", ...). */
  readonly action: string;
  /** What it was done to (a strategy id, "risk", an order id). */
  readonly subject: string;
  /** Details (JSON-serialisable). Never put secrets here. */
  readonly detail: unknown;
}

/** The audit log, append-only and idempotent by event id. */
export interface AuditRepository {
  /** Appends events; an event id already stored is skipped (the first one is kept). */
  append(events: readonly AuditEventRecord[]): Promise<void>;
  /** The latest `limit` events, newest first (by ts, then event id). */
  recent(limit: number): Promise<AuditEventRecord[]>;
  /** The events about one subject, oldest first (by ts, then event id). */
  bySubject(subject: string): Promise<AuditEventRecord[]>;
}

const COLUMNS = TABLES.auditEvents.columns.map((c) => c.name).join(", ");

/** AuditRepository on the SQL port. */
export class SqlAuditRepository implements AuditRepository {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  async append(events: readonly AuditEventRecord[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map(
      (e): SqlRow => ({
        event_id: e.eventId,
        ts: e.ts,
        actor: e.actor,
        action: e.action,
        subject: e.subject,
        detail_json: jsonText(e.detail),
      }),
    );
    await writeRows(this.#db, TABLES.auditEvents, rows, "ignore");
  }

  async recent(limit: number): Promise<AuditEventRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM audit_events ORDER BY ${orderBy(this.#db.dialect, "ts DESC", "text:event_id DESC")} LIMIT ?`,
      [Math.max(0, Math.trunc(limit))],
    );
    return rows.map(auditOf);
  }

  async bySubject(subject: string): Promise<AuditEventRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM audit_events WHERE subject = ? ORDER BY ${orderBy(this.#db.dialect, "ts", "text:event_id")}`,
      [subject],
    );
    return rows.map(auditOf);
  }
}

function auditOf(r: SqlRow): AuditEventRecord {
  return {
    eventId: textOf(r, "event_id"),
    ts: microsOf(r, "ts"),
    actor: textOf(r, "actor"),
    action: textOf(r, "action"),
    subject: textOf(r, "subject"),
    detail: jsonOf(r, "detail_json"),
  };
}
