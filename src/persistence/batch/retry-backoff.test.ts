import assert from "node:assert/strict";
import { test } from "node:test";
import { retryDelayMs } from "./retry-backoff.ts";

const backoff = { baseMs: 100, capMs: 5_000 };

test("the delay doubles per attempt up to the cap, with half of it random", () => {
  const low = (attempt: number) => retryDelayMs(attempt, backoff, () => 0);
  const high = (attempt: number) => retryDelayMs(attempt, backoff, () => 0.999999);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(low), [50, 100, 200, 400, 800, 1_600, 2_500, 2_500]);
  assert.deepEqual([1, 2, 3, 6, 7, 100].map(high), [100, 200, 400, 3_200, 5_000, 5_000]);
});

test("jitter spreads retries between half and all of the nominal delay", () => {
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const d = retryDelayMs(3, backoff);
    assert.ok(d >= 200 && d <= 400, `delay ${d}`);
    seen.add(d);
  }
  assert.ok(seen.size > 10, "delays differ");
});
