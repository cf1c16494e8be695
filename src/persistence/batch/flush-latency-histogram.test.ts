import assert from "node:assert/strict";
import { test } from "node:test";
import { FLUSH_LATENCY_BUCKETS_US, FlushLatencyHistogram } from "./flush-latency-histogram.ts";

test("an empty histogram reports zeros and empty cumulative buckets", () => {
  const s = new FlushLatencyHistogram().snapshot();
  assert.deepEqual([s.count, s.sumUs, s.p50Us, s.p99Us, s.maxUs], [0, 0, 0, 0, 0]);
  assert.equal(s.buckets.length, FLUSH_LATENCY_BUCKETS_US.length + 1);
  assert.ok(s.buckets.every((b) => b.count === 0));
});

test("buckets are cumulative with an +Inf bucket equal to the count; bounds are inclusive", () => {
  const h = new FlushLatencyHistogram();
  for (const us of [50, 100, 101, 1_000, 70_000_000]) h.record(us);
  const s = h.snapshot();
  const le = (bound: number) => s.buckets.find((b) => b.le === bound)?.count;
  assert.equal(le(100), 2, "50 and 100 (inclusive)");
  assert.equal(le(200), 3);
  assert.equal(le(1_000), 4);
  assert.equal(le(60_000_000), 4);
  assert.equal(s.buckets.at(-1)?.le, Number.POSITIVE_INFINITY);
  assert.equal(s.buckets.at(-1)?.count, 5);
  assert.equal(s.count, 5);
  assert.equal(s.sumUs, 50 + 100 + 101 + 1_000 + 70_000_000);
  assert.equal(s.maxUs, 70_000_000);
});

test("percentiles are estimated inside the right bucket and never exceed the maximum", () => {
  const h = new FlushLatencyHistogram();
  for (let i = 0; i < 990; i++) h.record(3_000); // bucket (2000, 5000]
  for (let i = 0; i < 10; i++) h.record(150_000); // bucket (100000, 200000]
  const s = h.snapshot();
  assert.ok(s.p50Us > 2_000 && s.p50Us <= 5_000, `p50 ${s.p50Us}`);
  assert.ok(s.p99Us > 2_000 && s.p99Us <= 5_000, `p99 ${s.p99Us}`);
  h.record(150_000);
  h.record(150_000);
  const t = h.snapshot();
  assert.ok(t.p99Us > 100_000 && t.p99Us <= 150_000, `p99 ${t.p99Us}`);
  assert.equal(t.maxUs, 150_000);
});
