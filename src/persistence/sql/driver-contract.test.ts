import assert from "node:assert/strict";
import { test } from "node:test";
import { DesError, ErrorCode } from "../../core/index.ts";
import { SQL_DRIVER_FACTORIES, type SqlDriverFactory } from "../test-support/sql-driver-factories.ts";
import { dialectSql } from "./column-types.ts";
import type { SqlDriver, SqlRow, TableSpec } from "./sql-types.ts";

/** A table with one column of every kind the drivers must carry exactly. */
const ITEMS: TableSpec = {
  name: "contract_items",
  columns: [
    { name: "id", type: "text" },
    { name: "amount", type: "decimal" },
    { name: "n", type: "integer", nullable: true },
    { name: "doc", type: "json", nullable: true },
    { name: "note", type: "text", nullable: true },
  ],
  primaryKey: ["id"],
};

const CREATE_ITEMS = `CREATE TABLE contract_items (
  id TEXT PRIMARY KEY, amount {decimal} NOT NULL, n {integer}, doc {json}, note TEXT)`;

async function openWithItems(
  factory: SqlDriverFactory,
  t: Parameters<SqlDriverFactory["open"]>[0],
  maxRowsPerInsert?: number,
) {
  const driver = await factory.open(t, maxRowsPerInsert === undefined ? {} : { maxRowsPerInsert });
  if (driver === undefined) return undefined;
  await driver.execute(dialectSql(CREATE_ITEMS, driver.dialect));
  return driver;
}

async function allItems(driver: SqlDriver): Promise<SqlRow[]> {
  return driver.query("SELECT id, amount, n, doc, note FROM contract_items ORDER BY id");
}

function item(id: string, amount: string, extra: Partial<SqlRow> = {}): SqlRow {
  return { id, amount, n: null, doc: null, note: null, ...extra };
}

const DECIMALS = [
  "12345678901234.123456789012345678",
  "-0.000000000000000001",
  "0",
  "1.10000000",
  "99999999999999999999999999.999999999999999999",
];

const JSON_DOCS = [
  '{"b":1,  "a":"é\\u00e9","x":[1.0,2e10,-0.0]}',
  '{"text":"line1\nline2\ttab \\\\ backslash \\\\N not null"}',
  '"\\\\N"',
  "[]",
  '{"emoji":"🚀","cr":"a\rb"}',
];

for (const factory of SQL_DRIVER_FACTORIES) {
  const name = factory.name;

  test(`${name}: query and execute with ? placeholders`, async (t) => {
    const db = await openWithItems(factory, t);
    if (db === undefined) return;
    assert.equal(
      await db.execute("INSERT INTO contract_items (id, amount, note) VALUES (?, ?, ?)", ["a", "1", "x"]),
      1,
    );
    assert.equal(await db.execute("INSERT INTO contract_items (id, amount) VALUES (?, ?)", ["b", "2"]), 1);
    assert.equal(await db.execute("UPDATE contract_items SET note = ? WHERE note IS NULL", ["y"]), 1);
    assert.deepEqual(
      await db.query("SELECT id, note FROM contract_items WHERE id = ? OR note = ? ORDER BY id", ["a", "y"]),
      [
        { id: "a", note: "x" },
        { id: "b", note: "y" },
      ],
    );
    assert.deepEqual(await db.query("SELECT COUNT(*) AS c FROM contract_items WHERE note = '?'"), [{ c: 0 }]);
    assert.deepEqual(await db.query("SELECT id FROM contract_items WHERE id = ?", ["missing"]), []);
  });

  test(`${name}: decimals round-trip exactly as text, by parameter and by bulk write`, async (t) => {
    const db = await openWithItems(factory, t);
    if (db === undefined) return;
    for (const [i, amount] of DECIMALS.entries()) {
      await db.execute("INSERT INTO contract_items (id, amount) VALUES (?, ?)", [`p${i}`, amount]);
    }
    await db.writeRows(
      ITEMS,
      DECIMALS.map((amount, i) => item(`w${i}`, amount)),
      "insert",
    );
    const rows = await db.query<{ id: string; amount: string }>("SELECT id, amount FROM contract_items");
    for (const [i, amount] of DECIMALS.entries()) {
      assert.equal(rows.find((r) => r.id === `p${i}`)?.amount, amount);
      assert.equal(rows.find((r) => r.id === `w${i}`)?.amount, amount);
    }
    // Stored as exact decimals: the database compares them as numbers, not floats.
    const [tiny] = await db.query("SELECT id FROM contract_items WHERE id LIKE 'p%' AND amount = ?", [
      DECIMALS[1]!,
    ]);
    assert.deepEqual(tiny, { id: "p1" });
  });

  test(`${name}: integers up to 2^53-1 come back as the same numbers`, async (t) => {
    const db = await openWithItems(factory, t);
    if (db === undefined) return;
    const values = [0, -1, 1_700_000_000_123_456, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    await db.writeRows(
      ITEMS,
      values.map((n, i) => item(`w${i}`, "0", { n })),
      "insert",
    );
    for (const [i, n] of values.entries())
      await db.execute("INSERT INTO contract_items (id, amount, n) VALUES (?, ?, ?)", [`p${i}`, "0", n]);
    const rows = await db.query<{ id: string; n: number }>("SELECT id, n FROM contract_items");
    for (const [i, n] of values.entries()) {
      assert.equal(rows.find((r) => r.id === `w${i}`)?.n, n);
      assert.equal(rows.find((r) => r.id === `p${i}`)?.n, n);
    }
    assert.deepEqual(await db.query("SELECT COUNT(*) AS c FROM contract_items"), [{ c: values.length * 2 }]);
  });

  test(`${name}: JSON text round-trips byte for byte (tabs, newlines, backslashes, \\N)`, async (t) => {
    const db = await openWithItems(factory, t);
    if (db === undefined) return;
    await db.writeRows(
      ITEMS,
      JSON_DOCS.map((doc, i) => item(`w${i}`, "0", { doc, note: doc })),
      "insert",
    );
    await db.writeRows(
      ITEMS,
      JSON_DOCS.map((doc, i) => item(`u${i}`, "0", { doc })),
      "upsert",
    );
    for (const [i, doc] of JSON_DOCS.entries())
      await db.execute("INSERT INTO contract_items (id, amount, doc) VALUES (?, ?, ?)", [`p${i}`, "0", doc]);
    const rows = await db.query<{ id: string; doc: string; note: string | null }>(
      "SELECT id, doc, note FROM contract_items",
    );
    for (const [i, doc] of JSON_DOCS.entries()) {
      for (const prefix of ["w", "u", "p"])
        assert.equal(rows.find((r) => r.id === `${prefix}${i}`)?.doc, doc, `${prefix}${i}`);
      assert.equal(rows.find((r) => r.id === `w${i}`)?.note, doc);
    }
  });

  test(`${name}: writeRows insert fails on a duplicate and writes nothing of the batch`, async (t) => {
    const db = await openWithItems(factory, t);
    if (db === undefined) return;
    await db.writeRows(ITEMS, [item("a", "1")], "insert");
    await assert.rejects(
      db.writeRows(ITEMS, [item("b", "2"), item("a", "3")], "insert"),
      (e: unknown) =>
        e instanceof DesError && e.code === ErrorCode.StoreFailed && e.message.includes("contract_items"),
    );
    assert.deepEqual(await allItems(db), [item("a", "1")]);
  });

  test(`${name}: writeRows ignore keeps stored rows, upsert replaces non-key columns`, async (t) => {
    const db = await openWithItems(factory, t);
    if (db === undefined) return;
    await db.writeRows(
      ITEMS,
      [item("a", "1", { note: "first" }), item("b", "2", { n: 7, note: "first" })],
      "insert",
    );
    await db.writeRows(
      ITEMS,
      [item("a", "10", { note: "second" }), item("c", "3"), item("c", "30")],
      "ignore",
    );
    assert.deepEqual(await allItems(db), [
      item("a", "1", { note: "first" }),
      item("b", "2", { n: 7, note: "first" }),
      item("c", "3"),
    ]);
    // Upsert: the last row of a key wins, missing columns become NULL.
    await db.writeRows(
      ITEMS,
      [item("b", "20", { note: "x" }), item("b", "21", { note: "y" }), item("d", "4")],
      "upsert",
    );
    assert.deepEqual(await allItems(db), [
      item("a", "1", { note: "first" }),
      item("b", "21", { note: "y" }),
      item("c", "3"),
      item("d", "4"),
    ]);
  });

  for (const maxRowsPerInsert of [undefined, 1_000_000]) {
    test(`${name}: writeRows chunks batches above the parameter limit (maxRowsPerInsert ${maxRowsPerInsert ?? "default"})`, async (t) => {
      const db = await openWithItems(factory, t, maxRowsPerInsert);
      if (db === undefined) return;
      // 14,001 rows x 5 columns = 70,005 parameters: above SQLite's 32,766 and PostgreSQL's 65,535.
      const count = 14_001;
      const rows = Array.from({ length: count }, (_, i) =>
        item(`k${String(i).padStart(6, "0")}`, `${i}.5`, { n: i }),
      );
      await db.writeRows(ITEMS, rows, "insert");
      await db.writeRows(
        ITEMS,
        rows.map((r) => ({ ...r, note: "again" })),
        "ignore",
      );
      await db.writeRows(
        ITEMS,
        rows.slice(0, 9_999).map((r) => ({ ...r, amount: "-1" })),
        "upsert",
      );
      const [stats] = await db.query<{ c: number; minus: number; notes: number; total: string }>(
        `SELECT COUNT(*) AS c, SUM(CASE WHEN amount = '-1' THEN 1 ELSE 0 END) AS minus,
          COUNT(note) AS notes, SUM(n) AS total FROM contract_items`,
      );
      assert.equal(Number(stats?.c), count);
      assert.equal(Number(stats?.minus), 9_999);
      assert.equal(Number(stats?.notes), 0);
      assert.equal(Number(stats?.total), ((count - 1) * count) / 2);
      const [last] = await db.query("SELECT id, amount, n FROM contract_items WHERE id = ?", ["k014000"]);
      assert.deepEqual(last, { id: "k014000", amount: "14000.5", n: 14_000 });
    });
  }

  test(`${name}: a transaction commits its work and returns its result`, async (t) => {
    const db = await openWithItems(factory, t);
    if (db === undefined) return;
    const result = await db.transaction(async (tx) => {
      await tx.execute("INSERT INTO contract_items (id, amount) VALUES (?, ?)", ["a", "1"]);
      await tx.writeRows(ITEMS, [item("b", "2")], "insert");
      return (await tx.query("SELECT COUNT(*) AS c FROM contract_items"))[0]?.c;
    });
    assert.equal(result, 2);
    assert.deepEqual(await allItems(db), [item("a", "1"), item("b", "2")]);
  });

  test(`${name}: a transaction that throws is rolled back and its error rethrown`, async (t) => {
    const db = await openWithItems(factory, t);
    if (db === undefined) return;
    const boom = new Error("boom");
    let late: Parameters<Parameters<SqlDriver["transaction"]>[0]>[0] | undefined;
    await assert.rejects(
      db.transaction(async (tx) => {
        late = tx;
        await tx.execute("INSERT INTO contract_items (id, amount) VALUES (?, ?)", ["a", "1"]);
        await tx.writeRows(ITEMS, [item("b", "2")], "upsert");
        throw boom;
      }),
      (e) => e === boom,
    );
    assert.deepEqual(await allItems(db), []);
    // A failing statement inside the transaction rolls back too.
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.execute("INSERT INTO contract_items (id, amount) VALUES (?, ?)", ["a", "1"]);
        await tx.execute("INSERT INTO contract_items (id, amount) VALUES (?, ?)", ["a", "1"]);
      }),
      (e: unknown) => e instanceof DesError && e.code === ErrorCode.StoreFailed,
    );
    assert.deepEqual(await allItems(db), []);
    await assert.rejects(late!.query("SELECT 1"), /transaction already ended/);
    // The driver is still usable afterwards.
    await db.execute("INSERT INTO contract_items (id, amount) VALUES (?, ?)", ["c", "3"]);
    assert.deepEqual(await allItems(db), [item("c", "3")]);
  });

  test(`${name}: concurrent transactions and statements never mix`, async (t) => {
    const db = await openWithItems(factory, t);
    if (db === undefined) return;
    let releaseA!: () => void;
    const aMayFinish = new Promise<void>((resolve) => {
      releaseA = resolve;
    });
    const aInserted = Promise.withResolvers<void>();
    const a = db.transaction(async (tx) => {
      await tx.execute("INSERT INTO contract_items (id, amount) VALUES (?, ?)", ["a", "1"]);
      aInserted.resolve();
      await aMayFinish;
      const seen = (await tx.query<{ id: string }>("SELECT id FROM contract_items ORDER BY id")).map(
        (r) => r.id,
      );
      assert.ok(seen.includes("a"), "A sees its own row");
      // SQLite serializes transactions: nothing of B or of the statement outside ran yet.
      if (db.dialect === "sqlite") assert.deepEqual(seen, ["a"]);
      throw new Error("roll A back");
    });
    await aInserted.promise;
    const b = db.transaction(async (tx) => {
      await tx.execute("INSERT INTO contract_items (id, amount) VALUES (?, ?)", ["b", "2"]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await tx.execute("INSERT INTO contract_items (id, amount) VALUES (?, ?)", ["b2", "2"]);
    });
    const outside = db.execute("INSERT INTO contract_items (id, amount) VALUES (?, ?)", ["c", "3"]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    releaseA();
    await assert.rejects(a, /roll A back/);
    await b;
    await outside;
    assert.deepEqual(
      (await allItems(db)).map((r) => r.id),
      ["b", "b2", "c"],
    );
  });
}
