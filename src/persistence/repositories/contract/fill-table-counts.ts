import type { SqlExecutor } from "../../sql/sql-types.ts";

/** Row counts of the tables a fill touches, read in ONE statement (one snapshot in both dialects). */
export async function fillTableCounts(db: SqlExecutor) {
  const [row] = await db.query(
    `SELECT (SELECT COUNT(*) FROM fills) AS fills, (SELECT COUNT(*) FROM orders) AS orders,
            (SELECT COUNT(*) FROM order_status_history) AS history,
            (SELECT COUNT(*) FROM positions) AS positions, (SELECT COUNT(*) FROM balances) AS balances`,
  );
  const n = (column: string) => Number(row?.[column]);
  return {
    fills: n("fills"),
    orders: n("orders"),
    history: n("history"),
    positions: n("positions"),
    balances: n("balances"),
  };
}
