import { isDesError, toError } from "../../core/index.ts";
import { redactCredentials } from "../sql/redact-url.ts";
import { isTransientDbError } from "../sql/transient-errors.ts";

/** What the batch writer keeps of a failed write: safe to log and to show an operator. */
export interface WriteErrorSummary {
  /** The error message, credentials masked. */
  readonly message: string;
  /** The database's code when the driver gave one (a SQLSTATE such as 23505, or a SQLite result code). */
  readonly code: string | undefined;
  /** True when a retry is expected to succeed (see isTransientDbError). */
  readonly transient: boolean;
  /** When it happened (ms since the epoch). */
  readonly at: number;
}

/** Summarizes a write error: message (credentials masked), database code, transient or not, time. */
export function summarizeWriteError(error: unknown, at: number): WriteErrorSummary {
  return {
    message: redactCredentials(toError(error).message),
    code: databaseCode(error),
    transient: isTransientDbError(error),
    at,
  };
}

/** The SQLSTATE or SQLite code of an error or of the driver error it wraps. */
function databaseCode(error: unknown): string | undefined {
  if (isDesError(error)) {
    const { sqlState, sqliteCode } = error.details as { sqlState?: unknown; sqliteCode?: unknown };
    if (typeof sqlState === "string") return sqlState;
    if (typeof sqliteCode === "number") return `SQLITE_${sqliteCode}`;
  }
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && !code.startsWith("DES_ERR_")) return code;
  return cause !== undefined && cause !== error ? databaseCode(cause) : undefined;
}
