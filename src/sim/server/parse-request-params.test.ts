import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRequestParams } from "./parse-request-params.ts";

function params(query: string, body = ""): Record<string, string> {
  const r = parseRequestParams(query, body);
  assert.ok(r.ok, `expected ok, got ${JSON.stringify(r)}`);
  return { ...r.params };
}

describe("parseRequestParams", () => {
  it("merges query and body; the query wins on a name sent in both", () => {
    assert.deepEqual(params("symbol=LTCBTC&side=BUY", "quantity=1&side=SELL"), {
      symbol: "LTCBTC",
      side: "BUY",
      quantity: "1",
    });
  });

  it("decodes percent-encoding and '+' as a space", () => {
    assert.deepEqual(params("symbols=%5B%22BTCUSDT%22%5D&x=a+b&sym=%EF%BC%91"), {
      symbols: '["BTCUSDT"]',
      x: "a b",
      sym: "１",
    });
  });

  it("keeps names without a value and skips empty pairs", () => {
    assert.deepEqual(params("a&&b=", ""), { a: "", b: "" });
  });

  it("answers -1101 for a name repeated in the query or in the body", () => {
    for (const [q, b] of [
      ["a=1&a=2", ""],
      ["", "a=1&a=2"],
      ["a=1", "a=2&a=3"],
    ] as const) {
      const r = parseRequestParams(q, b);
      assert.deepEqual(r, {
        ok: false,
        status: 400,
        code: -1101,
        msg: "Duplicate values for a parameter detected.",
      });
    }
  });

  it("answers -1100 for broken percent-encoding", () => {
    const r = parseRequestParams("a=%E0%A4%A", "");
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, -1100);
  });

  it("treats __proto__ as an ordinary name", () => {
    const r = parseRequestParams("__proto__=x", "");
    assert.ok(r.ok);
    assert.equal(Object.getOwnPropertyDescriptor(r.params, "__proto__")?.value, "x");
  });
});
