import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The read-only reference data next to the repository (../shared/data). Copyleft files there may be
 * read by tests for independent checks but never copied into the project.
 */
export const SHARED_DATA_DIR: string = fileURLToPath(new URL("../../../../shared/data/", import.meta.url));

/** The project's own fixtures for this folder. */
export const MARKET_FIXTURES_DIR: string = fileURLToPath(
  new URL("../../../test/fixtures/market/", import.meta.url),
);

/** Returns the absolute path of a file under ../shared/data. */
export function sharedDataPath(relative: string): string {
  return SHARED_DATA_DIR + relative;
}

/** Returns the absolute path of a file under test/fixtures/market. */
export function fixturePath(name: string): string {
  return MARKET_FIXTURES_DIR + name;
}

/** Returns the node:test skip value for a test that reads ../shared/data/<relative>: false when present. */
export function skipUnlessShared(relative: string): string | false {
  return existsSync(sharedDataPath(relative))
    ? false
    : `needs ${sharedDataPath(relative)}: the shared reference data folder is absent`;
}
