import assert from "node:assert/strict";
import { test } from "node:test";
import { copyTextPieces, copyTextValue } from "./copy-text.ts";
import type { TableSpec } from "./sql-types.ts";
import { chunkSizes, conflictClause, lastRowPerKey, multiRowInsertSql } from "./write-sql.ts";

const T: TableSpec = {
  name: "t",
  columns: [
    { name: "k", type: "text" },
    { name: "v", type: "decimal" },
    { name: "n", type: "integer" },
  ],
  primaryKey: ["k"],
};

test("multi-row INSERT with the conflict clause of each mode", () => {
  assert.equal(
    multiRowInsertSql(T, "insert", 2, () => "?"),
    'INSERT INTO "t" ("k", "v", "n") VALUES (?, ?, ?), (?, ?, ?)',
  );
  assert.equal(
    multiRowInsertSql(T, "ignore", 1, (i) => `$${i + 1}`),
    'INSERT INTO "t" ("k", "v", "n") VALUES ($1, $2, $3) ON CONFLICT ("k") DO NOTHING',
  );
  assert.equal(
    conflictClause(T, "upsert"),
    ' ON CONFLICT ("k") DO UPDATE SET "v" = excluded."v", "n" = excluded."n"',
  );
  const keyOnly: TableSpec = { name: "x", columns: [{ name: "a", type: "text" }], primaryKey: ["a"] };
  assert.equal(conflictClause(keyOnly, "upsert"), ' ON CONFLICT ("a") DO NOTHING');
});

test("chunk sizes cover the batch with full chunks then powers of two", () => {
  assert.deepEqual(chunkSizes(0, 500), []);
  assert.deepEqual(chunkSizes(1234, 500), [500, 500, 128, 64, 32, 8, 2]);
  assert.deepEqual(chunkSizes(3, 1), [1, 1, 1]);
  const distinct = new Set<number>();
  for (let n = 0; n < 2000; n++) {
    const sizes = chunkSizes(n, 500);
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      n,
    );
    for (const s of sizes) {
      assert.ok(s >= 1 && s <= 500);
      distinct.add(s);
    }
  }
  assert.ok(distinct.size <= 10, `${distinct.size} distinct statement sizes`);
});

test("upsert keeps the last row of each key; other modes keep every row", () => {
  const rows = [
    { k: "a", v: "1", n: 1 },
    { k: "b", v: "2", n: 2 },
    { k: "a", v: "3", n: 3 },
  ];
  assert.deepEqual(lastRowPerKey(T, rows, "upsert"), [rows[1], rows[2]]);
  assert.equal(lastRowPerKey(T, rows, "ignore"), rows);
});

test("COPY text format escapes what would end a column or a row and writes NULL as \\N", () => {
  assert.equal(copyTextValue(null), "\\N");
  assert.equal(copyTextValue(undefined), "\\N");
  assert.equal(copyTextValue("\\N"), "\\\\N");
  assert.equal(copyTextValue("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
  assert.equal(copyTextValue(12), "12");
  assert.equal(copyTextValue(2n ** 63n - 1n), "9223372036854775807");
  const pieces = [
    ...copyTextPieces(
      T,
      [
        { k: "x", v: "1.5", n: null },
        { k: "y\tz", v: "2" },
      ],
      1,
    ),
  ];
  assert.deepEqual(pieces, ["x\t1.5\t\\N\n", "y\\tz\t2\t\\N\n"]);
});
