import assert from "node:assert/strict";
import { test } from "node:test";
import { parseKlinesRequest } from "./klines-request.ts";

const known = (s: string): boolean => s === "BTCBUSD";

function err(params: Record<string, string>): { code: number; msg: string; status: number } {
  const r = parseKlinesRequest(params, known);
  assert.equal(r.ok, false);
  if (r.ok) throw new Error("unreachable");
  return { code: r.code, msg: r.msg, status: r.status };
}

test("symbol and interval are mandatory (-1102)", () => {
  assert.deepEqual(err({ interval: "1m" }), {
    status: 400,
    code: -1102,
    msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
  });
  assert.equal(
    err({ symbol: "BTCBUSD", interval: "" }).msg,
    "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.",
  );
});

test("a bad interval is -1120 and an unknown symbol -1121", () => {
  assert.deepEqual(err({ symbol: "BTCBUSD", interval: "1H" }), {
    status: 400,
    code: -1120,
    msg: "Invalid interval.",
  });
  assert.deepEqual(err({ symbol: "btcbusd", interval: "1m" }), {
    status: 400,
    code: -1121,
    msg: "Invalid symbol.",
  });
});

test("times and limit must be unsigned integers (-1100); startTime > endTime is -1023", () => {
  assert.equal(err({ symbol: "BTCBUSD", interval: "1m", startTime: "-5" }).code, -1100);
  assert.equal(
    err({ symbol: "BTCBUSD", interval: "1m", endTime: "1.5" }).msg,
    "Illegal characters found in parameter 'endTime'; legal range is '^[0-9]{1,20}$'.",
  );
  assert.equal(err({ symbol: "BTCBUSD", interval: "1m", limit: "abc" }).code, -1100);
  assert.equal(err({ symbol: "BTCBUSD", interval: "1m", limit: "0" }).code, -1100);
  assert.deepEqual(err({ symbol: "BTCBUSD", interval: "1m", startTime: "5", endTime: "4" }), {
    status: 400,
    code: -1023,
    msg: "Start time is greater than end time.",
  });
  assert.equal(err({ symbol: "BTCBUSD", interval: "1m", timeZone: "8" }).code, -1100);
});

test("limit defaults to 500 and is capped at 1000", () => {
  const r = parseKlinesRequest({ symbol: "BTCBUSD", interval: "1m" }, known);
  assert.ok(r.ok);
  assert.equal(r.query.limit, 500);
  const capped = parseKlinesRequest(
    { symbol: "BTCBUSD", interval: "5m", limit: "5000", timeZone: "0" },
    known,
  );
  assert.ok(capped.ok);
  assert.equal(capped.query.limit, 1000);
});
