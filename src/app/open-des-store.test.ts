import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { isDesError } from "../core/index.ts";
import { loadConfig } from "./load-config.ts";
import { planStore } from "./open-des-store.ts";

function dbPathIn(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "des-plan-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "des.sqlite");
}

const PG = { POSTGRES_URL: "postgres://nobody@127.0.0.1:1/none" };

test("the journal's file: beside DES_DB_PATH for the embedded store; never DES_DB_PATH itself", (t) => {
  const db = dbPathIn(t);
  const plan = planStore(loadConfig({ env: { DES_DB_PATH: db } }));
  assert.deepEqual(plan, {
    primary: "sqlite",
    secondary: undefined,
    journalPath: db.replace("des.sqlite", "des-journal.sqlite"),
  });
  const own = join(db, "..", "elsewhere.sqlite");
  assert.equal(planStore(loadConfig({ env: { DES_DB_PATH: db, DES_JOURNAL_PATH: own } })).journalPath, own);
  assert.throws(
    () => planStore(loadConfig({ env: { DES_DB_PATH: db, DES_JOURNAL_PATH: db } })),
    (e: unknown) => isDesError(e, "DES_ERR_INVALID_CONFIG") && e.details?.["key"] === "DES_JOURNAL_PATH",
  );
});

test("DB_TYPE=postgres keeps the journal where the last run kept it: the embedded store's file if there, else DES_DB_PATH", (t) => {
  const db = dbPathIn(t);
  const env = { ...PG, DB_TYPE: "postgres", DES_DB_PATH: db };
  // A PostgreSQL deployment of an earlier release: the journal is DES_DB_PATH.
  assert.equal(planStore(loadConfig({ env })).journalPath, db);
  // After the embedded store (moved by des db migrate): its journal file beside DES_DB_PATH.
  const beside = db.replace("des.sqlite", "des-journal.sqlite");
  writeFileSync(beside, "");
  assert.equal(planStore(loadConfig({ env })).journalPath, beside);
  // DES_JOURNAL_PATH wins.
  const own = join(db, "..", "own.sqlite");
  assert.equal(planStore(loadConfig({ env: { ...env, DES_JOURNAL_PATH: own } })).journalPath, own);
});
