import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { DesError, ErrorCode } from "../../core/index.ts";
import type { SqlRow, TableSpec } from "./sql-types.ts";
import { SqliteDriver } from "./sqlite-driver.ts";
import { MAX_CRASHES_PER_BATCH, SqliteWriteThread, WRITE_THREAD_STOPPED } from "./sqlite-write-thread.ts";
import { isTransientDbError } from "./transient-errors.ts";

const ITEMS: TableSpec = {
  name: "items",
  columns: [
    { name: "id", type: "text" },
    { name: "amount", type: "decimal" },
    { name: "n", type: "integer", nullable: true },
  ],
  primaryKey: ["id"],
};
const NOTES: TableSpec = {
  name: "notes",
  columns: [
    { name: "id", type: "integer" },
    { name: "body", type: "text" },
  ],
  primaryKey: ["id"],
};
const CREATE =
  "CREATE TABLE items (id TEXT PRIMARY KEY, amount TEXT NOT NULL, n INTEGER); " +
  "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "des-write-thread-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function openDriver(t: { after(fn: () => Promise<void>): void }, dir: string): Promise<SqliteDriver> {
  const driver = SqliteDriver.open(join(dir, "des.sqlite"));
  t.after(() => driver.close());
  await driver.execute(CREATE.split("; ")[0]!);
  await driver.execute(CREATE.split("; ")[1]!);
  return driver;
}

const items = (from: number, count: number): SqlRow[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `k${String(from + i).padStart(6, "0")}`,
    amount: `${from + i}.25`,
    n: from + i,
  }));

test("writeBatch writes every group in one transaction on the write thread; the main connection reads it at once", async (t) => {
  const driver = await openDriver(t, tempDir(t));
  assert.equal(driver.writeThreadsStarted, 0, "no thread before the first batch");
  await driver.writeBatch([
    { table: ITEMS, mode: "insert", rows: items(0, 2_500) },
    { table: NOTES, mode: "ignore", rows: [{ id: 1, body: "first" }] },
  ]);
  assert.equal(driver.writeThreadsStarted, 1);
  // Modes behave as writeRows': ignore keeps the stored row, upsert replaces it, the first of a repeated key wins.
  await driver.writeBatch([
    {
      table: NOTES,
      mode: "ignore",
      rows: [
        { id: 1, body: "again" },
        { id: 2, body: "second" },
        { id: 2, body: "x" },
      ],
    },
    { table: ITEMS, mode: "upsert", rows: [{ id: "k000000", amount: "-1", n: null }] },
  ]);
  assert.deepEqual(await driver.query("SELECT id, body FROM notes ORDER BY id"), [
    { id: 1, body: "first" },
    { id: 2, body: "second" },
  ]);
  const [sum] = await driver.query<{ c: number; s: number; first: string }>(
    "SELECT COUNT(*) AS c, SUM(n) AS s, (SELECT amount FROM items WHERE id = 'k000000') AS first FROM items",
  );
  assert.deepEqual(sum, { c: 2_500, s: (2_499 * 2_500) / 2 - 0, first: "-1" });
  assert.equal(driver.writeThreadsStarted, 1, "one thread serves every batch");
});

test("a batch the database refuses is rolled back whole and fails with SQLite's code, not as transient", async (t) => {
  const driver = await openDriver(t, tempDir(t));
  await driver.writeBatch([{ table: ITEMS, mode: "insert", rows: items(0, 10) }]);
  await assert.rejects(
    driver.writeBatch([
      { table: NOTES, mode: "insert", rows: [{ id: 7, body: "would be rolled back" }] },
      { table: ITEMS, mode: "insert", rows: [{ id: "bad", amount: null, n: 1 }] },
    ]),
    (e: unknown) => {
      assert.ok(e instanceof DesError && e.code === ErrorCode.StoreFailed, String(e));
      assert.match(e.message, /writeBatch into notes \(insert, 1 rows\), items \(insert, 1 rows\)/);
      assert.match(e.message, /NOT NULL/);
      assert.equal(e.details["sqliteCode"], 1299, "SQLITE_CONSTRAINT_NOTNULL");
      assert.equal(isTransientDbError(e), false);
      return true;
    },
  );
  assert.deepEqual(await driver.query("SELECT COUNT(*) AS c FROM notes"), [{ c: 0 }], "the first group too");
  // The thread goes on with the next batch.
  await driver.writeBatch([{ table: NOTES, mode: "insert", rows: [{ id: 8, body: "ok" }] }]);
  assert.deepEqual(await driver.query("SELECT COUNT(*) AS c FROM notes"), [{ c: 1 }]);
});

test("statements on the main connection wait while a batch is in flight, so the connections never contend", async (t) => {
  const driver = await openDriver(t, tempDir(t));
  const order: string[] = [];
  const batch = driver.writeBatch([{ table: ITEMS, mode: "insert", rows: items(0, 20_000) }]).then(() => {
    order.push("batch");
  });
  const count = driver.query<{ c: number }>("SELECT COUNT(*) AS c FROM items").then((rows) => {
    order.push("read");
    return rows[0]?.c;
  });
  const insert = driver
    .transaction((tx) => tx.execute("INSERT INTO notes (id, body) VALUES (?, ?)", [1, "main"]))
    .then(() => order.push("transaction"));
  await Promise.all([batch, count, insert]);
  assert.deepEqual(order, ["batch", "read", "transaction"]);
  assert.equal(await count, 20_000, "the read saw the committed batch");
});

test("a write thread that cannot start fails its batch as transient; the next batch starts a new thread", async (t) => {
  const dir = join(tempDir(t), "not-yet");
  const thread = new SqliteWriteThread({
    path: join(dir, "des.sqlite"), // its folder does not exist: the thread's connection cannot open
    busyTimeoutMs: 100,
    maxRowsPerInsert: 500,
    backstopCheckpoint: false,
  });
  t.after(() => thread.close());
  await assert.rejects(
    thread.write([{ table: NOTES, mode: "insert", rows: [{ id: 1, body: "a" }] }]),
    (e: unknown) => {
      assert.equal((e as { code?: unknown }).code, WRITE_THREAD_STOPPED, String(e));
      assert.equal(isTransientDbError(e), true);
      return true;
    },
  );
  // The operator fixes the cause: the next batch is written by a new thread.
  mkdirSync(dir);
  const setup = SqliteDriver.open(join(dir, "des.sqlite"), { writeThread: false });
  await setup.execute(CREATE.split("; ")[1]!);
  await thread.write([{ table: NOTES, mode: "insert", rows: [{ id: 1, body: "a" }] }]);
  assert.equal(thread.started, 2);
  assert.deepEqual(await setup.query("SELECT id, body FROM notes"), [{ id: 1, body: "a" }]);
  await setup.close();
});

test(":memory: and writeThread false write batches on the main connection", async (t) => {
  const memory = SqliteDriver.open(":memory:");
  t.after(() => memory.close());
  await memory.execute(CREATE.split("; ")[1]!);
  await memory.writeBatch([{ table: NOTES, mode: "insert", rows: [{ id: 1, body: "m" }] }]);
  assert.equal(memory.writeThreadsStarted, 0);
  assert.deepEqual(await memory.query("SELECT body FROM notes"), [{ body: "m" }]);
  const onLoop = SqliteDriver.open(join(tempDir(t), "des.sqlite"), { writeThread: false });
  t.after(() => onLoop.close());
  await onLoop.execute(CREATE.split("; ")[1]!);
  await assert.rejects(
    onLoop.writeBatch([
      { table: NOTES, mode: "insert", rows: [{ id: 1, body: "x" }] },
      { table: NOTES, mode: "insert", rows: [{ id: 1, body: "duplicate" }] },
    ]),
    (e: unknown) => e instanceof DesError && e.code === ErrorCode.StoreFailed,
  );
  assert.deepEqual(await onLoop.query("SELECT COUNT(*) AS c FROM notes"), [{ c: 0 }], "rolled back whole");
  assert.equal(onLoop.writeThreadsStarted, 0);
});

test("a value that cannot cross threads fails its batch as bad data; the thread goes on", async (t) => {
  const driver = await openDriver(t, tempDir(t));
  await driver.writeBatch([{ table: NOTES, mode: "insert", rows: [{ id: 1, body: "a" }] }]);
  const bad = { id: 2, body: (() => "x") as unknown as string };
  await assert.rejects(driver.writeBatch([{ table: NOTES, mode: "insert", rows: [bad] }]), (e: unknown) => {
    assert.ok(e instanceof DesError && e.code === ErrorCode.StoreFailed, String(e));
    assert.equal(isTransientDbError(e), false);
    return true;
  });
  await driver.writeBatch([{ table: NOTES, mode: "insert", rows: [{ id: 3, body: "c" }] }]);
  assert.deepEqual(await driver.query("SELECT id FROM notes ORDER BY id"), [{ id: 1 }, { id: 3 }]);
  assert.equal(driver.writeThreadsStarted, 1);
});

test("close() with a batch in flight waits for its answer, then stops the thread", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "des.sqlite");
  const driver = SqliteDriver.open(path, { busyTimeoutMs: 300 });
  await driver.execute(CREATE.split("; ")[1]!);
  const other = new DatabaseSync(path);
  t.after(() => other.close());
  other.exec("BEGIN IMMEDIATE"); // the thread's BEGIN waits for this lock, then gives up (busy)
  const batch = driver.writeBatch([{ table: NOTES, mode: "insert", rows: [{ id: 1, body: "a" }] }]);
  const settled = batch.then(
    () => "committed",
    (e: unknown) => (isTransientDbError(e) ? "transient" : `permanent: ${String(e)}`),
  );
  // The batch is in flight once its thread has started and taken it (then waits for the lock).
  for (let i = 0; i < 200 && driver.writeThreadsStarted === 0; i++) await sleep(5);
  await sleep(100);
  let outcome: string | undefined;
  void settled.then((o) => {
    outcome = o;
  });
  await driver.close();
  assert.equal(outcome, "transient", "close() returned after the batch's answer (busy), not before");
  other.exec("ROLLBACK");
});

test("a batch the thread dies on (out of memory) is retried as transient, then fails as permanent on the third death", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "des.sqlite");
  const setup = SqliteDriver.open(path, { writeThread: false });
  await setup.execute(CREATE.split("; ")[0]!);
  const thread = new SqliteWriteThread(
    { path, busyTimeoutMs: 1000, maxRowsPerInsert: 500, backstopCheckpoint: false },
    { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 },
  );
  t.after(async () => {
    await thread.close();
    await setup.close();
  });
  await thread.write([{ table: ITEMS, mode: "insert", rows: items(0, 10) }]);
  const huge = [{ table: ITEMS, mode: "insert" as const, rows: items(100, 400_000) }];
  const outcomes: string[] = [];
  for (let attempt = 0; attempt < MAX_CRASHES_PER_BATCH; attempt++) {
    await thread.write(huge).then(
      () => outcomes.push("committed"),
      (e: unknown) => outcomes.push(isTransientDbError(e) ? "transient" : "permanent"),
    );
  }
  assert.deepEqual(outcomes, ["transient", "transient", "permanent"]);
  // Smaller batches (what the batch writer's isolation sends next) go through on a new thread.
  await thread.write([{ table: ITEMS, mode: "insert", rows: items(100, 1_000) }]);
  assert.deepEqual(await setup.query("SELECT COUNT(*) AS c FROM items"), [{ c: 1_010 }]);
});
