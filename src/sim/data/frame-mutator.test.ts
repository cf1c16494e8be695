import assert from "node:assert/strict";
import { test } from "node:test";
import { FRAME_MUTATIONS, mutateFrame } from "./frame-mutator.ts";
import { seededRandom } from "./seeded-random.ts";

const FRAME = JSON.stringify({
  stream: "btcbusd@trade",
  data: { e: "trade", E: 1, s: "BTCBUSD", t: 7, p: "17000.10000000", q: "0.5", T: 1, m: true, M: true },
});

test("every mutation changes the frame and stays valid UTF-8", () => {
  const rng = seededRandom(3);
  for (let round = 0; round < 50; round++) {
    for (const kind of FRAME_MUTATIONS) {
      const out = mutateFrame(FRAME, kind, rng);
      assert.notEqual(out, FRAME, kind);
      assert.equal(Buffer.from(out, "utf8").toString("utf8"), out, `${kind} round-trips through UTF-8`);
    }
  }
});

test("each kind does what it says", () => {
  const rng = seededRandom(5);
  const truncated = mutateFrame(FRAME, "truncated", rng);
  assert.ok(FRAME.startsWith(truncated) && truncated.length < FRAME.length);
  assert.throws(() => JSON.parse(truncated));
  const retyped = JSON.parse(mutateFrame(FRAME, "wrongType", rng)) as unknown;
  assert.notDeepEqual(retyped, JSON.parse(FRAME));
  const missing = mutateFrame(FRAME, "missingField", rng);
  assert.ok(missing.length < FRAME.length);
  assert.doesNotThrow(() => JSON.parse(missing));
});
