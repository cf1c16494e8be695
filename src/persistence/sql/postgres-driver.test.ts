import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { DesError, ErrorCode } from "../../core/index.ts";
import { PgFaultProxy } from "../test-support/pg-fault-proxy.ts";
import {
  createTestPostgresSchema,
  openTestPostgres,
  testPostgresUrl,
} from "../test-support/postgres-test-db.ts";
import { PostgresDriver } from "./postgres-driver.ts";
import { isTransientDbError } from "./transient-errors.ts";

const SECRET = "s3cret-Pw_42";

test("an unreachable server gives a clear, transient error without the password", async () => {
  const error = await PostgresDriver.open({
    url: `postgres://des:${SECRET}@127.0.0.1:1/des`,
    connectTimeoutMs: 2000,
  }).then(
    () => assert.fail("open should fail"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DesError);
  assert.equal(error.code, ErrorCode.StoreFailed);
  assert.match(error.message, /^PostgreSQL not reachable at postgres:\/\/des:\*\*\*@127\.0\.0\.1:1\/des: /);
  assert.match(error.message, /ECONNREFUSED/);
  assert.equal(isTransientDbError(error), true);
  assert.ok(!JSON.stringify(error.toJSON()).includes(SECRET));
  assert.ok(!error.message.includes(SECRET));
});

test("a failing statement names the statement and never the password", async (t) => {
  const probe = await openTestPostgres(t);
  if (probe === undefined) return;
  const url = new URL(testPostgresUrl());
  if (url.password === "") url.password = SECRET; // trust auth ignores it; it must not leak anyway
  const db = await PostgresDriver.open({ url: url.toString(), poolSize: 1 });
  t.after(() => db.close());
  for (const attempt of [
    () => db.query("SELECT * FROM des_no_such_table WHERE x = ?", [1]),
    () => db.transaction((tx) => tx.execute("INSERT INTO des_no_such_table VALUES (?)", [1])),
  ]) {
    const error = await attempt().then(
      () => assert.fail("should fail"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DesError);
    assert.equal(error.code, ErrorCode.StoreFailed);
    assert.match(error.message, /des_no_such_table/);
    assert.equal(error.details.sqlState, "42P01");
    const visible = `${error.message} ${JSON.stringify(error.toJSON())} ${error.stack}`;
    assert.ok(!visible.includes(url.password), "password leaked");
    assert.equal(isTransientDbError(error), false);
  }
});

test("BIGINT comes back as a number when safe and a bigint beyond; NUMERIC as exact text", async (t) => {
  const db = await openTestPostgres(t);
  if (db === undefined) return;
  const [row] = await db.query(
    "SELECT 9007199254740991::bigint AS safe, 9007199254740993::bigint AS big, 0.1::numeric + 0.2::numeric AS sum, ?::numeric * 2 AS twice",
    ["12345678901234.123456789012345678"],
  );
  assert.deepEqual(row, {
    safe: 9007199254740991,
    big: 9007199254740993n,
    sum: "0.3",
    twice: "24691357802468.246913578024691356",
  });
});

test("killed connections are counted, never crash, and the pool recovers", async (t) => {
  const applicationName = `des_kill_${randomBytes(4).toString("hex")}`;
  const db = await openTestPostgres(t, { applicationName, poolSize: 2 });
  if (db === undefined) return;
  const admin = await PostgresDriver.open({ url: testPostgresUrl(), poolSize: 1 });
  t.after(() => admin.close());
  const kill = () =>
    admin.query("SELECT pg_terminate_backend(pid) AS k FROM pg_stat_activity WHERE application_name = ?", [
      applicationName,
    ]);
  await db.execute("CREATE TABLE k (id BIGINT PRIMARY KEY)");
  // An idle connection killed: the pool's 'error' event is handled and counted.
  assert.ok((await kill()).length >= 1);
  for (let i = 0; i < 100 && db.stats().connectionErrors === 0; i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.ok(db.stats().connectionErrors >= 1);
  await db.execute("INSERT INTO k VALUES (?)", [1]);
  // A connection killed inside a transaction: the transaction fails with a transient error,
  // the connection is destroyed, and the next transaction works.
  const error = await db
    .transaction(async (tx) => {
      await tx.execute("INSERT INTO k VALUES (?)", [2]);
      await kill();
      await tx.execute("INSERT INTO k VALUES (?)", [3]);
    })
    .then(
      () => assert.fail("the transaction should fail"),
      (e: unknown) => e,
    );
  assert.equal(isTransientDbError(error), true, String(error));
  await db.transaction((tx) => tx.execute("INSERT INTO k VALUES (?)", [4]));
  assert.deepEqual(await db.query("SELECT id FROM k ORDER BY id"), [{ id: 1 }, { id: 4 }]);
});

test("a connection terminated in the same chunk as the answer that frees it never crashes the process", async (t) => {
  // The answer of a query releases its connection and the pool hands it at once to a waiting
  // transaction; the termination parsed right after it then hits a connection that neither the pool
  // nor the transaction listens on yet. pg throws such an 'error' event as an uncaught exception.
  const created = await createTestPostgresSchema(t);
  if (created === undefined) return;
  const upstream = new URL(created.url);
  const proxy = await PgFaultProxy.start(upstream.hostname, Number(upstream.port || 5432));
  t.after(() => proxy.close());
  const viaProxy = new URL(created.url);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  const db = await PostgresDriver.open({ url: viaProxy.href, schema: created.schema, poolSize: 1 });
  t.after(() => db.close());

  const answered = db.query<{ n: number }>("SELECT 7 AS n FROM pg_sleep(0.05)");
  const waiting = db.transaction((tx) => tx.query<{ n: number }>("SELECT 8 AS n"));
  proxy.terminateAfterNextReadyForQuery();
  assert.deepEqual(await answered, [{ n: 7 }]);
  const outcome = await waiting.then(
    (rows) => rows,
    (e: unknown) => e,
  );
  assert.equal(proxy.terminations, 1);
  // The waiting transaction either failed transiently (retried by the batch writer) or got a new connection.
  if (!Array.isArray(outcome)) assert.equal(isTransientDbError(outcome), true, String(outcome));
  assert.ok(db.stats().connectionErrors >= 1, "the termination is counted");
  assert.deepEqual(await db.transaction((tx) => tx.query("SELECT 9 AS n")), [{ n: 9 }]);
});

test("the schema option confines the driver to its schema", async (t) => {
  const db = await openTestPostgres(t);
  if (db === undefined) return;
  const [row] = await db.query<{ s: string }>("SELECT current_schema() AS s");
  assert.match(row!.s, /^des_t_[0-9a-f]{12}$/);
  await assert.rejects(
    PostgresDriver.open({ url: testPostgresUrl(), schema: "x; DROP TABLE y" }),
    (e: unknown) => e instanceof DesError && e.code === ErrorCode.InvalidConfig,
  );
});

test("writeRows ignore copies new rows straight in and falls back to the staging table only on a stored key, inside the caller's transaction", async (t) => {
  const db = await openTestPostgres(t);
  if (db === undefined) return;
  await db.execute("CREATE TABLE items (id TEXT PRIMARY KEY, amount NUMERIC NOT NULL)");
  const spec = {
    name: "items",
    columns: [
      { name: "id", type: "text" as const },
      { name: "amount", type: "decimal" as const },
    ],
    primaryKey: ["id"],
  };
  const rows = (ids: string[], amount: string) => ids.map((id) => ({ id, amount }));

  await db.writeRows(spec, rows(["a", "b"], "1"), "ignore");
  assert.equal(db.stats().ignoreFallbacks, 0, "new rows take the direct COPY");

  // A stored key ("b") and a key given twice ("d"), between other statements of one transaction.
  await db.transaction(async (tx) => {
    await tx.execute("INSERT INTO items (id, amount) VALUES (?, ?)", ["before", "5"]);
    await tx.writeRows(spec, [...rows(["b", "c"], "2"), ...rows(["d", "d"], "3")], "ignore");
    await tx.execute("INSERT INTO items (id, amount) VALUES (?, ?)", ["after", "6"]);
  });
  assert.equal(db.stats().ignoreFallbacks, 1);
  assert.deepEqual(await db.query("SELECT id, amount FROM items ORDER BY id"), [
    { id: "a", amount: "1" },
    { id: "after", amount: "6" },
    { id: "b", amount: "1" },
    { id: "before", amount: "5" },
    { id: "c", amount: "2" },
    { id: "d", amount: "3" },
  ]);

  // Any other failure of the direct COPY fails the write, as before (here a NULL in a NOT NULL column).
  await assert.rejects(
    db.writeRows(spec, [{ id: "e", amount: null }], "ignore"),
    (e: unknown) => e instanceof DesError && e.details["sqlState"] === "23502",
  );
  assert.equal(db.stats().ignoreFallbacks, 1);
});

test("writeRows ignore: a stored key at the start of a large batch (the server refuses the COPY while rows still stream) falls back cleanly", async (t) => {
  const db = await openTestPostgres(t);
  if (db === undefined) return;
  await db.execute("CREATE TABLE big (id TEXT PRIMARY KEY, amount NUMERIC NOT NULL, note TEXT)");
  const spec = {
    name: "big",
    columns: [
      { name: "id", type: "text" as const },
      { name: "amount", type: "decimal" as const },
      { name: "note", type: "text" as const, nullable: true },
    ],
    primaryKey: ["id"],
  };
  await db.writeRows(spec, [{ id: "k0000000", amount: "-1", note: "stored" }], "ignore");
  const rows = Array.from({ length: 60_000 }, (_, i) => ({
    id: `k${String(i).padStart(7, "0")}`,
    amount: `${i}.25`,
    note: "x".repeat(40),
  }));
  await db.writeRows(spec, rows, "ignore");
  assert.equal(db.stats().ignoreFallbacks, 1);
  const [r] = await db.query<{ c: string; stored: string }>(
    "SELECT COUNT(*) AS c, MIN(amount) AS stored FROM big",
  );
  assert.equal(Number(r?.c), 60_000);
  assert.equal(r?.stored, "-1", "the stored row is kept");
  // The pool's connections are all usable afterwards.
  const answers = await Promise.all(
    Array.from({ length: 6 }, (_, i) => db.transaction((tx) => tx.query<{ n: number }>(`SELECT ${i} AS n`))),
  );
  assert.deepEqual(
    answers.map((a) => a[0]?.n),
    [0, 1, 2, 3, 4, 5],
  );
});
