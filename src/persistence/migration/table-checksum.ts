import { hash } from "node:crypto";
import type { SqlExecutor, TableSpec } from "../sql/sql-types.ts";
import { canonicalRowText } from "./canonical-row.ts";
import { readTablePages } from "./table-pages.ts";

/** The row count and content checksum of one table on one database. */
export interface TableChecksum {
  readonly table: string;
  readonly rows: number;
  /** 64 hex digits; equal on two databases exactly when their rows have equal canonical content. */
  readonly checksum: string;
}

/** Rows per query when a table is read for a checksum. */
export const DEFAULT_CHECKSUM_PAGE_SIZE = 10_000;

/**
 * An order-insensitive digest of a set of rows: the SHA-256 of each row's canonical text, summed
 * lane by lane (eight 32-bit lanes, each modulo 2^32). The sum does not depend on the order rows
 * arrive in, so SQLite and PostgreSQL can each be read in their own index order (their text
 * collations differ), and every row still counts: a missing, extra or changed row changes the sum.
 */
export class RowSetDigest {
  readonly #lanes = new Uint32Array(8);
  #rows = 0;

  /** Adds one row's canonical text. */
  add(rowText: string): void {
    // A "binary" (latin1) string of the 32 digest bytes: measured twice as fast as a Buffer (no allocation).
    const digest = hash("sha256", rowText, "binary");
    const lanes = this.#lanes;
    for (let i = 0; i < 8; i++) {
      const j = i * 4;
      const word =
        (digest.charCodeAt(j) << 24) |
        (digest.charCodeAt(j + 1) << 16) |
        (digest.charCodeAt(j + 2) << 8) |
        digest.charCodeAt(j + 3);
      lanes[i] = (lanes[i]! + word) >>> 0;
    }
    this.#rows++;
  }

  /** Rows added so far. */
  get rows(): number {
    return this.#rows;
  }

  /** The digest as 64 hex digits. */
  hex(): string {
    let out = "";
    for (const lane of this.#lanes) out += lane.toString(16).padStart(8, "0");
    return out;
  }
}

/**
 * Reads a whole table and returns its row count and content checksum (see RowSetDigest and
 * canonicalRowText): computed in JavaScript the same way on either database, so two databases with
 * equal content have equal checksums whatever types their drivers return.
 */
export async function checksumTable(
  db: SqlExecutor,
  spec: TableSpec,
  pageSize = DEFAULT_CHECKSUM_PAGE_SIZE,
): Promise<TableChecksum> {
  const digest = new RowSetDigest();
  for await (const page of readTablePages(db, spec, { pageSize })) {
    for (const row of page.rows) digest.add(canonicalRowText(spec, row));
  }
  return { table: spec.name, rows: digest.rows, checksum: digest.hex() };
}
