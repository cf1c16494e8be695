import { isDesError } from "../core/index.ts";

/** Exit status for an invalid configuration (distinct from a crash). */
export const EXIT_CONFIG_ERROR = 2;

/** Prints a start-up error without a stack (coded errors) and exits; rethrows bugs. */
export function exitOnConfigError(e: unknown): never {
  if (isDesError(e)) {
    process.stderr.write(`des: ${e.code}: ${e.message}\n`);
    process.exit(EXIT_CONFIG_ERROR);
  }
  throw e;
}
