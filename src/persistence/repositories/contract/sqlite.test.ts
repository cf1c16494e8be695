import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "../../schema/migrate.ts";
import { SqliteDriver } from "../../sql/sqlite-driver.ts";
import { repositoryContract } from "./repository-contract.ts";

// The repository contract on SQLite: a fresh database file under the OS temp folder per test.
repositoryContract("SQLite (temp file)", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "des-repo-contract-"));
  const driver = SqliteDriver.open(join(dir, "des.sqlite"));
  t.after(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await migrate(driver);
  return driver;
});
