import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

/** A path for a SQLite file (`des.sqlite`) in a folder of the test's own, removed when the test ends. */
export function tempSqlitePath(t: TestContext, prefix = "des-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "des.sqlite");
}
