import assert from "node:assert/strict";
import { test } from "node:test";
import { TABLES } from "../schema/tables.ts";
import { WriteQueue } from "./write-queue.ts";

const row = (n: number) => ({ n });

test("rows are grouped by (table, mode) in order of first appearance, each group in arrival order", () => {
  const q = new WriteQueue(100);
  q.push(TABLES.orders, row(1), "upsert");
  q.push(TABLES.fills, row(2), "ignore");
  q.push(TABLES.orders, row(3), "upsert");
  q.push(TABLES.orders, row(4), "insert");
  q.pushMany(TABLES.fills, [row(5), row(6)], "ignore");
  const segment = q.take(Number.POSITIVE_INFINITY);
  assert.ok(segment !== undefined);
  assert.deepEqual(
    segment.groups.map((g) => [g.table.name, g.mode, g.rows.map((r) => r["n"])]),
    [
      ["orders", "upsert", [1, 3]],
      ["fills", "ignore", [2, 5, 6]],
      ["orders", "insert", [4]],
    ],
  );
  assert.equal(segment.rowCount, 6);
  assert.equal(q.queued, 0);
  assert.equal(q.accepted, 6);
});

test("a full tail is sealed; the open tail is taken only when due", () => {
  const q = new WriteQueue(3);
  assert.equal(q.push(TABLES.fills, row(0), "insert"), false);
  assert.equal(q.push(TABLES.fills, row(1), "insert"), false);
  assert.equal(q.push(TABLES.fills, row(2), "insert"), true, "the third row fills the segment");
  assert.equal(q.pushMany(TABLES.fills, [row(3), row(4), row(5), row(6), row(7)], "insert"), true);
  assert.equal(q.queued, 8);
  const ns = (dueBefore: number) => q.take(dueBefore)?.groups.flatMap((g) => g.rows.map((r) => r["n"]));
  assert.deepEqual(ns(0), [0, 1, 2]);
  assert.deepEqual(ns(0), [3, 4, 5]);
  assert.equal(q.take(6), undefined, "the tail starts at sequence 6: not due before 6");
  assert.deepEqual(ns(7), [6, 7]);
  assert.equal(q.take(100), undefined);
  assert.equal(q.queued, 0);
  q.push(TABLES.fills, row(8), "insert");
  assert.deepEqual(
    q.segments().map((s) => s.rowCount),
    [1],
  );
});

test("group commit: take() joins full segments waiting behind the first, up to maxRows, keeping each group's order", () => {
  const q = new WriteQueue(2);
  q.push(TABLES.orders, row(1), "upsert");
  q.push(TABLES.fills, row(2), "ignore"); // segment 1 sealed
  q.push(TABLES.fills, row(3), "ignore");
  q.push(TABLES.orders, row(4), "upsert"); // segment 2 sealed
  q.push(TABLES.orders, row(5), "upsert");
  q.push(TABLES.signals, row(6), "ignore"); // segment 3 sealed
  q.push(TABLES.orders, row(7), "upsert"); // the open tail
  const joined = q.take(0, 4);
  assert.ok(joined !== undefined);
  assert.equal(joined.rowCount, 4, "two full segments fit in 4 rows, the third does not");
  assert.equal(joined.firstSeq, 0);
  assert.deepEqual(
    joined.groups.map((g) => [g.table.name, g.mode, g.rows.map((r) => r["n"])]),
    [
      ["orders", "upsert", [1, 4]],
      ["fills", "ignore", [2, 3]],
    ],
  );
  assert.equal(q.queued, 3);
  const next = q.take(0, 100);
  assert.deepEqual(
    next?.groups.map((g) => [g.table.name, g.rows.map((r) => r["n"])]),
    [
      ["orders", [5]],
      ["signals", [6]],
    ],
    "the open tail is never joined: it is taken on its own when due",
  );
  assert.equal(q.take(0), undefined, "the tail is not due");
  assert.deepEqual(
    q.take(Number.POSITIVE_INFINITY)?.groups.map((g) => g.rows.map((r) => r["n"])),
    [[7]],
  );
  // Without maxRows (or with one below two segments) a take is one segment, as before.
  const single = new WriteQueue(1);
  single.push(TABLES.fills, row(1), "ignore");
  single.push(TABLES.fills, row(2), "ignore");
  assert.equal(single.take(0)?.rowCount, 1);
  assert.equal(single.take(0, 1)?.rowCount, 1);
});
