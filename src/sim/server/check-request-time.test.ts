import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkRequestTiming,
  isTimingFailure,
  parseRequestTiming,
  type RequestTiming,
} from "./check-request-time.ts";

const NOW = 1_499_827_319_559;

function timing(params: Record<string, string>): RequestTiming {
  const t = parseRequestTiming(params);
  assert.ok(!isTimingFailure(t), JSON.stringify(t));
  return t;
}

describe("request timing (reference section 3.1)", () => {
  it("accepts a timestamp within recvWindow and less than 1 s ahead", () => {
    assert.equal(checkRequestTiming(timing({ timestamp: String(NOW) }), NOW), undefined);
    assert.equal(checkRequestTiming(timing({ timestamp: String(NOW - 5000) }), NOW), undefined);
    assert.equal(checkRequestTiming(timing({ timestamp: String(NOW + 999) }), NOW), undefined);
  });

  it("rejects an old timestamp with 'outside of the recvWindow'", () => {
    assert.deepEqual(checkRequestTiming(timing({ timestamp: String(NOW - 5001) }), NOW), {
      ok: false,
      status: 400,
      code: -1021,
      msg: "Timestamp for this request is outside of the recvWindow.",
    });
  });

  it("rejects a timestamp 1000 ms or more ahead with 'was 1000ms ahead'", () => {
    assert.deepEqual(checkRequestTiming(timing({ timestamp: String(NOW + 1000) }), NOW), {
      ok: false,
      status: 400,
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
  });

  it("reads microsecond timestamps and recvWindow with three decimals", () => {
    const t = timing({ timestamp: `${NOW - 6000}000`, recvWindow: "6000.001" });
    assert.deepEqual(t, { timestampMicros: (NOW - 6000) * 1000, recvWindowMicros: 6_000_001 });
    assert.equal(checkRequestTiming(t, NOW), undefined);
    assert.equal(
      checkRequestTiming(timing({ timestamp: `${NOW - 6000}000`, recvWindow: "5999.999" }), NOW)?.code,
      -1021,
    );
  });

  it("answers -1102 for a missing or malformed timestamp and for recvWindow above 60000", () => {
    const cases: Record<string, string>[] = [
      {},
      { timestamp: "" },
      { timestamp: "12a" },
      { timestamp: "-1" },
    ];
    for (const p of cases) {
      const t = parseRequestTiming(p);
      assert.ok(isTimingFailure(t));
      assert.equal(t.msg, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    }
    const big = parseRequestTiming({ timestamp: String(NOW), recvWindow: "60000.001" });
    assert.ok(isTimingFailure(big));
    assert.equal(big.code, -1102);
    assert.equal(big.msg, "'recvWindow' contains unexpected value. Cannot be greater than 60000.");
    assert.ok(!isTimingFailure(parseRequestTiming({ timestamp: String(NOW), recvWindow: "60000" })));
    const bad = parseRequestTiming({ timestamp: String(NOW), recvWindow: "5e3" });
    assert.ok(isTimingFailure(bad));
    assert.equal(bad.code, -1100);
  });
});
