import assert from "node:assert/strict";
import { test } from "node:test";
import { migrate } from "../schema/migrate.ts";
import { ALL_TABLES, TABLES } from "../schema/tables.ts";
import { SqliteDriver } from "../sql/sqlite-driver.ts";
import { checkDivergence, formatDivergenceReport } from "./divergence-check.ts";
import { copyDatabase } from "./table-copier.ts";
import { seedDatabase } from "./test-fixtures.ts";

async function twoEqualDatabases() {
  const a = SqliteDriver.open(":memory:");
  const b = SqliteDriver.open(":memory:");
  await migrate(a);
  await migrate(b);
  await seedDatabase(a, 300);
  await copyDatabase(a, b, { tables: ALL_TABLES, sourceLabel: "a" });
  return { a, b };
}

test("equal databases have no divergence, even with decimals written with other trailing zeros", async () => {
  const { a, b } = await twoEqualDatabases();
  await b.execute("UPDATE fills SET price = price || '000' WHERE trade_id = 't000000001'");
  const report = await checkDivergence({ name: "a", db: a }, { name: "b", db: b }, ALL_TABLES);
  assert.ok(report.identical, formatDivergenceReport(report));
  assert.match(formatDivergenceReport(report), /no divergence between a and b/);
});

test("the check lists rows missing on either side and rows whose content differs, with exact counts", async () => {
  const { a, b } = await twoEqualDatabases();
  await b.execute("DELETE FROM fills WHERE trade_id IN ('t000000010', 't000000011', 't000000012')");
  await a.execute("DELETE FROM balances WHERE asset = 'ärger0'");
  await b.execute("UPDATE orders SET status = 'FILLED', reason = NULL WHERE client_order_id = 'o5'");
  await b.writeRows(
    TABLES.signals,
    [{ id: 9999, strategy_id: "s", instrument_id: "X", action: "BUY", reason: "r", ts: 1 }],
    "insert",
  );
  const report = await checkDivergence({ name: "sqlite", db: a }, { name: "postgres", db: b }, ALL_TABLES, {
    maxListed: 2,
    pageSize: 64,
  });
  assert.equal(report.identical, false);
  const t = (name: string) => report.tables.find((x) => x.table === name)!;
  assert.equal(t("fills").onlyInA, 3);
  assert.equal(t("fills").rows.length, 2, "listing is bounded, counting is not");
  assert.deepEqual(t("fills").rows[0], {
    table: "fills",
    kind: "missing",
    presentIn: "sqlite",
    key: { account_id: "acct-0", trade_id: "t000000012" },
  });
  assert.equal(t("balances").onlyInB, 1);
  assert.deepEqual(t("balances").rows[0]?.key, { account_id: "acct-1", asset: "ärger0" });
  assert.equal(t("orders").different, 1);
  assert.deepEqual(t("orders").rows[0]?.columns, [{ column: "status", a: "NEW", b: "FILLED" }]);
  assert.equal(t("signals").onlyInB, 1);
  assert.deepEqual(t("signals").rows[0]?.key, { id: 9999 });
  assert.equal(t("positions").onlyInA + t("positions").onlyInB + t("positions").different, 0);
  const text = formatDivergenceReport(report);
  assert.match(text, /fills: 3 only in sqlite, 0 only in postgres, 0 different/);
  assert.match(text, /different: \{"client_order_id":"o5"\}: status sqlite=NEW postgres=FILLED/);
  assert.match(text, /DIVERGED/);
});
