import { randomBytes } from "node:crypto";
import type { TestContext } from "node:test";
import { PostgresDriver, type PostgresDriverOptions } from "../sql/postgres-driver.ts";

/** The PostgreSQL the integration tests use: DES_TEST_POSTGRES_URL, else the local trust-auth server's `test` database. */
export function testPostgresUrl(): string {
  return process.env.DES_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
}

/** A PostgreSQL schema of one test: the server's URL and the schema's name. */
export interface TestPostgresSchema {
  readonly url: string;
  readonly schema: string;
}

/**
 * Creates an empty schema of its own (des_t_<random>) for one test, dropped with everything in it
 * (CASCADE) when the test ends; for tests that hand PostgreSQL to another process (POSTGRES_URL +
 * POSTGRES_SCHEMA). When the server is unreachable: with CI=true the test fails; elsewhere it is
 * skipped with a message and undefined is returned.
 */
export async function createTestPostgresSchema(t: TestContext): Promise<TestPostgresSchema | undefined> {
  const url = testPostgresUrl();
  const schema = `des_t_${randomBytes(6).toString("hex")}`;
  let admin: PostgresDriver;
  try {
    admin = await PostgresDriver.open({ url, poolSize: 1, connectTimeoutMs: 3000 });
  } catch (e) {
    if (process.env.CI === "true") throw e;
    t.skip(`${(e as Error).message}: start it or set DES_TEST_POSTGRES_URL`);
    return undefined;
  }
  try {
    await admin.execute(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.close();
  }
  t.after(async () => {
    const dropper = await PostgresDriver.open({ url, poolSize: 1 });
    try {
      await dropper.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await dropper.close();
    }
  });
  return { url, schema };
}

/**
 * Opens a PostgreSQL driver for one test, isolated in a schema of its own (see
 * createTestPostgresSchema; test files run in parallel), its pool closed when the test ends. The
 * schema starts empty: run migrate(driver) for the DES tables.
 *
 * When the server is unreachable: with CI=true the test fails (the error is thrown); elsewhere the
 * test is skipped with a message and undefined is returned, so write
 * `const db = await openTestPostgres(t); if (db === undefined) return;`.
 */
export async function openTestPostgres(
  t: TestContext,
  options: Omit<PostgresDriverOptions, "url" | "schema"> = {},
): Promise<PostgresDriver | undefined> {
  const created = await createTestPostgresSchema(t);
  if (created === undefined) return undefined;
  const driver = await PostgresDriver.open({
    poolSize: 5,
    ...options,
    url: created.url,
    schema: created.schema,
  });
  t.after(() => driver.close());
  return driver;
}
