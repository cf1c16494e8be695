import { migrate } from "../../schema/migrate.ts";
import { openTestPostgres } from "../../test-support/postgres-test-db.ts";
import { repositoryContract } from "./repository-contract.ts";

// The repository contract on a real PostgreSQL, each test in a schema of its own. Skipped when the
// server is unreachable, except with CI=true where it fails. Run once per bulk-write method, so both
// COPY and multi-row INSERT paths of writeRows meet the same contract.
for (const bulk of ["copy", "insert"] as const) {
  repositoryContract(`PostgreSQL (bulk ${bulk})`, async (t) => {
    const driver = await openTestPostgres(t, { bulk });
    if (driver !== undefined) await migrate(driver);
    return driver;
  });
}
