import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { DesError, ErrorCode } from "../../core/index.ts";
import { BACKSTOP_CHECKPOINT_PAGES, SqliteDriver } from "./sqlite-driver.ts";
import { isTransientDbError } from "./transient-errors.ts";

/** Resolves once `condition` holds, polling every 5 ms for at most 10 s. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the background checkpoint");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "des-sqlite-driver-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("open creates the folder and sets WAL, synchronous=NORMAL, busy timeout and foreign keys", async (t) => {
  const path = join(tempDir(t), "nested", "data", "des.db");
  const db = SqliteDriver.open(path, { busyTimeoutMs: 1234 });
  t.after(() => db.close());
  assert.ok(existsSync(path));
  assert.deepEqual(await db.query("PRAGMA journal_mode"), [{ journal_mode: "wal" }]);
  assert.deepEqual(await db.query("PRAGMA synchronous"), [{ synchronous: 1 }]); // 1 = NORMAL
  assert.deepEqual(await db.query("PRAGMA busy_timeout"), [{ timeout: 1234 }]);
  assert.deepEqual(await db.query("PRAGMA foreign_keys"), [{ foreign_keys: 1 }]);
});

test("a database the driver creates gets 16 KiB pages; an existing file keeps its page size", async (t) => {
  const dir = tempDir(t);
  const fresh = SqliteDriver.open(join(dir, "fresh.db"));
  t.after(() => fresh.close());
  assert.deepEqual(await fresh.query("PRAGMA page_size"), [{ page_size: 16384 }]);

  const oldPath = join(dir, "old.db");
  const old = new DatabaseSync(oldPath);
  old.exec("PRAGMA page_size = 4096; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
  old.close();
  const reopened = SqliteDriver.open(oldPath);
  t.after(() => reopened.close());
  assert.deepEqual(await reopened.query("PRAGMA page_size"), [{ page_size: 4096 }]);
  assert.deepEqual(await reopened.query("SELECT x FROM t"), [{ x: 1 }]);
  assert.deepEqual(await reopened.query("PRAGMA journal_mode"), [{ journal_mode: "wal" }]);
});

test("a file's WAL is checkpointed by the background thread; the main connection's own checkpoint is only a far-off backstop", async (t) => {
  const path = join(tempDir(t), "des.db");
  const db = SqliteDriver.open(path, { checkpointIntervalMs: 5 });
  t.after(() => db.close());
  assert.deepEqual(await db.query("PRAGMA wal_autocheckpoint"), [
    { wal_autocheckpoint: BACKSTOP_CHECKPOINT_PAGES },
  ]);
  await db.execute("CREATE TABLE t (x INTEGER, y TEXT)");
  const sizeBefore = statSync(path).size;
  await db.transaction(async (tx) => {
    for (let i = 0; i < 2_000; i++) await tx.execute("INSERT INTO t VALUES (?, ?)", [i, "x".repeat(200)]);
  });
  // Far below the backstop: only the background thread copies the WAL into the database file.
  await waitUntil(() => {
    const s = db.checkpointStats();
    return s !== undefined && s.lastFramesInWal > 0 && s.lastFramesCheckpointed === s.lastFramesInWal;
  });
  assert.ok(statSync(path).size > sizeBefore, "the rows reached the database file");
  assert.equal(db.checkpointStats()?.errors, 0);
  assert.deepEqual(await db.query("SELECT COUNT(*) AS n FROM t"), [{ n: 2_000 }]);
});

test("without the background checkpointer (option off, or in memory) SQLite checkpoints itself as usual", async (t) => {
  const off = SqliteDriver.open(join(tempDir(t), "off.db"), { backgroundCheckpoint: false });
  t.after(() => off.close());
  assert.deepEqual(await off.query("PRAGMA wal_autocheckpoint"), [{ wal_autocheckpoint: 1000 }]);
  assert.equal(off.checkpointStats(), undefined);
  const memory = SqliteDriver.open(":memory:");
  t.after(() => memory.close());
  assert.equal(memory.checkpointStats(), undefined);
});

test("a write lock held by another connection gives a transient SQLITE_BUSY error", async (t) => {
  const path = join(tempDir(t), "des.db");
  const a = SqliteDriver.open(path);
  const b = SqliteDriver.open(path, { busyTimeoutMs: 0 });
  t.after(async () => {
    await b.close();
    await a.close();
  });
  await a.execute("CREATE TABLE x (id INTEGER PRIMARY KEY)");
  const blocked = a.transaction(async (tx) => {
    await tx.execute("INSERT INTO x VALUES (1)");
    const error = await b.execute("INSERT INTO x VALUES (2)").then(
      () => assert.fail("b should be busy"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DesError);
    assert.equal(error.code, ErrorCode.StoreFailed);
    assert.match(error.message, /INSERT INTO x VALUES \(2\)/);
    assert.equal(isTransientDbError(error), true);
  });
  await blocked;
  await b.execute("INSERT INTO x VALUES (2)");
  assert.deepEqual(await b.query("SELECT id FROM x ORDER BY id"), [{ id: 1 }, { id: 2 }]);
});

test("many concurrent transactions run one at a time, in full", async (t) => {
  const db = SqliteDriver.open(join(tempDir(t), "des.db"));
  t.after(() => db.close());
  await db.execute("CREATE TABLE c (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
  await db.execute("INSERT INTO c VALUES ('n', 0)");
  // Read-modify-write with an await in between: lost updates if two transactions interleaved.
  await Promise.all(
    Array.from({ length: 50 }, () =>
      db.transaction(async (tx) => {
        const [row] = await tx.query<{ v: number }>("SELECT v FROM c WHERE k = 'n'");
        await new Promise((resolve) => setImmediate(resolve));
        await tx.execute("UPDATE c SET v = ? WHERE k = 'n'", [row!.v + 1]);
      }),
    ),
  );
  assert.deepEqual(await db.query("SELECT v FROM c"), [{ v: 50 }]);
});

test("a closed driver refuses statements", async () => {
  const db = SqliteDriver.open(":memory:");
  await db.close();
  await assert.rejects(db.query("SELECT 1"), /closed/);
  await db.close(); // idempotent
});
