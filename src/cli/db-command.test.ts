import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type TestContext, test } from "node:test";
import { migrate, SqliteDriver } from "../persistence/index.ts";
import { seedDatabase } from "../persistence/migration/test-fixtures.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const PROGRAM = `
import { Command } from "commander";
import { registerDbCommand } from "./src/cli/db-command.ts";
const program = new Command().name("des").exitOverride();
registerDbCommand(program);
await program.parseAsync(process.argv);
`;

/** Runs `des db <args>` (the real commander wiring) in a child process. */
function desDb(args: readonly string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", PROGRAM, "des", "db", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, POSTGRES_URL: "", ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function sqliteFile(t: TestContext, rows: number): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), "des-db-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "des.sqlite");
  const db = SqliteDriver.open(file);
  await migrate(db);
  await seedDatabase(db, rows);
  await db.close();
  return { dir, file };
}

test("des db migrate copies and verifies; verify and divergence report a change with exit status 1", async (t) => {
  const { dir, file } = await sqliteFile(t, 2500);
  const target = join(dir, "copy.sqlite");
  const migrated = desDb(["migrate", "--from", file, "--to", target, "--batch", "1000"]);
  assert.equal(migrated.status, 0, migrated.stderr);
  assert.match(migrated.stdout, /fills\s+2500\s+2500 .* match/);
  assert.match(migrated.stdout, /verified: every table matches/);
  assert.match(migrated.stderr, /fills: 2,500\/2,500 rows \(100\.0%\).*done/);
  assert.match(migrated.stderr, /copied 10,004 rows/);

  const db = SqliteDriver.open(target);
  await db.execute("UPDATE balances SET free = '0' WHERE asset = 'BTC0'");
  await db.close();
  const verified = desDb(["verify", "--from", file, "--to", target]);
  assert.equal(verified.status, 1);
  assert.match(verified.stdout, /balances .* MISMATCH/);
  const diverged = desDb(["divergence", "--from", file, "--to", target]);
  assert.equal(diverged.status, 1);
  assert.match(diverged.stdout, /balances: 0 only in source, 0 only in target, 1 different/);
  assert.match(
    diverged.stdout,
    /different: \{"account_id":"acct-1","asset":"BTC0"\}: free source=1.1 target=0/,
  );

  const status = desDb(["status", "--from", file, "--to", target]);
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /fills\s+2,500\s+2,500\s+done, 2,500 rows/);
});

test("des db refuses bad options and missing databases with exit status 2, naming the problem", async (t) => {
  const { dir, file } = await sqliteFile(t, 1);
  const batch = desDb(["migrate", "--from", file, "--to", join(dir, "x.sqlite"), "--batch", "0"]);
  assert.equal(batch.status, 2);
  assert.match(batch.stderr, /--batch "0": expected an integer > 0/);
  const noTarget = desDb(["verify", "--from", file]);
  assert.equal(noTarget.status, 2);
  assert.match(noTarget.stderr, /pass --to or set POSTGRES_URL/);
  const noSource = desDb(["verify", "--from", join(dir, "missing.sqlite"), "--to", file]);
  assert.equal(noSource.status, 2);
  assert.match(noSource.stderr, /no SQLite file at/);
  const unreachable = desDb(["verify", "--from", file], {
    POSTGRES_URL: "postgres://des:hunter2secret@127.0.0.1:1/des",
  });
  assert.equal(unreachable.status, 2);
  assert.match(unreachable.stderr, /postgres:\/\/des:\*\*\*@127\.0\.0\.1:1\/des/);
  assert.doesNotMatch(unreachable.stderr + unreachable.stdout, /hunter2secret/);
});
