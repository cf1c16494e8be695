import assert from "node:assert/strict";
import { test } from "node:test";
import { DesError, ErrorCode } from "../../core/index.ts";
import { isTransientDbError } from "./transient-errors.ts";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

test("PostgreSQL shutdowns, connection exceptions and socket failures are transient", () => {
  for (const code of ["57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08P01"]) {
    assert.equal(isTransientDbError(withCode(code)), true, code);
  }
  for (const code of ["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"]) {
    assert.equal(isTransientDbError(withCode(code)), true, code);
  }
  assert.equal(isTransientDbError(new Error("Connection terminated unexpectedly")), true);
  assert.equal(isTransientDbError(new Error("timeout exceeded when trying to connect")), true);
});

test("PostgreSQL resource shortages, a read-only standby after failover and a canceled statement are transient", () => {
  for (const code of ["53000", "53100", "53200", "53300", "25006", "57014"]) {
    assert.equal(isTransientDbError(withCode(code)), true, code);
  }
});

test("SQLite busy and locked (primary and extended codes) are transient", () => {
  const sqlite = (errcode: number, message: string) =>
    Object.assign(new Error(message), { code: "ERR_SQLITE_ERROR", errcode });
  assert.equal(isTransientDbError(sqlite(5, "database is locked")), true);
  assert.equal(isTransientDbError(sqlite(6, "database table is locked")), true);
  assert.equal(isTransientDbError(sqlite(517, "busy snapshot")), true); // SQLITE_BUSY_SNAPSHOT
  assert.equal(isTransientDbError(sqlite(19, "UNIQUE constraint failed")), false);
});

test("SQLite disk full, I/O error and read-only are transient: kept queued until the cause is fixed, never dead-lettered", () => {
  const sqlite = (errcode: number, message: string) =>
    Object.assign(new Error(message), { code: "ERR_SQLITE_ERROR", errcode });
  assert.equal(isTransientDbError(sqlite(13, "database or disk is full")), true); // SQLITE_FULL
  assert.equal(isTransientDbError(sqlite(10, "disk I/O error")), true); // SQLITE_IOERR
  assert.equal(isTransientDbError(sqlite(778, "disk I/O error")), true); // SQLITE_IOERR_WRITE
  assert.equal(isTransientDbError(sqlite(8, "attempt to write a readonly database")), true); // SQLITE_READONLY
  assert.equal(isTransientDbError(sqlite(1, "no such table: x")), false); // SQLITE_ERROR
  assert.equal(isTransientDbError(sqlite(275, "CHECK constraint failed")), false); // SQLITE_CONSTRAINT_CHECK
});

test("bugs and bad data are not transient", () => {
  assert.equal(isTransientDbError(withCode("23505", "duplicate key")), false);
  assert.equal(isTransientDbError(withCode("42P01", "relation does not exist")), false);
  assert.equal(isTransientDbError(withCode("22P02", "invalid input syntax")), false);
  assert.equal(isTransientDbError(new Error("boom")), false);
  assert.equal(isTransientDbError(undefined), false);
  assert.equal(isTransientDbError("57P01"), false);
});

test("follows the cause chain of a wrapping error and the errors of an AggregateError", () => {
  const wrapped = new DesError(
    ErrorCode.StoreFailed,
    "PostgreSQL failed on INSERT",
    {},
    { cause: withCode("57P01") },
  );
  assert.equal(isTransientDbError(wrapped), true);
  assert.equal(
    isTransientDbError(new DesError(ErrorCode.StoreFailed, "bad", {}, { cause: withCode("23505") })),
    false,
  );
  assert.equal(isTransientDbError(new AggregateError([withCode("ECONNREFUSED")])), true);
});
