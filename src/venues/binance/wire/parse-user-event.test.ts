import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { isUserParseError, parseUserEvent } from "./parse-user-event.ts";
import { parseUserFrame } from "./parse-user-frame.ts";
import type { ExecutionReportMsg } from "./user-msgs.ts";

// The documented examples of ../shared/reference/binance.md section 6.2 (executionReport), 6.3
// (outboundAccountPosition, balanceUpdate), 6.1 (eventStreamTerminated) and 1.3 (serverShutdown),
// in the WebSocket API envelope {subscriptionId, event}.
const EXECUTION_REPORT_NEW = `{"subscriptionId":0,"event":{"e":"executionReport","E":1499405658658,"s":"ETHBTC","c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY","o":"LIMIT","f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"NEW","X":"NEW","r":"NONE","i":4293153,"l":"0.00000000","z":"0.00000000","L":"0.00000000","n":"0","N":null,"T":1499405658657,"t":-1,"v":3,"I":8641984,"w":true,"m":false,"M":false,"O":1499405658657,"Z":"0.00000000","Y":"0.00000000","Q":"0.00000000","W":1499405658657,"V":"NONE"}}`;

const ACCOUNT_POSITION = `{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1564034571105,"u":1564034571073,"B":[{"a":"ETH","f":"10000.000000","l":"0.000000"}]}}`;

const ACCOUNT_POSITION_2 = `{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1728972148778,"u":1728972148778,"B":[{"a":"BTC","f":"11818.00000000","l":"182.00000000"},{"a":"USDT","f":"10580.00000000","l":"70.00000000"}]}}`;

/**
 * A maker fill with the older field set (no W, V) that section 6.2 quotes from a real 2021 capture:
 * built here with our own values (the capture itself is AGPL and is not copied), same keys and types.
 */
function olderTradeEvent(): Record<string, unknown> {
  return {
    e: "executionReport",
    E: 1700000000123,
    s: "DOGEUSDT",
    c: "des-abc123-1",
    S: "BUY",
    o: "LIMIT",
    f: "GTC",
    q: "50.00000000",
    p: "0.07500000",
    P: "0.00000000",
    F: "0.00000000",
    g: -1,
    C: "",
    x: "TRADE",
    X: "FILLED",
    r: "NONE",
    i: 123456789,
    l: "50.00000000",
    z: "50.00000000",
    L: "0.07500000",
    n: "0.00001000",
    N: "BNB",
    T: 1700000000122,
    t: 98765432,
    I: 2222222,
    w: false,
    m: true,
    M: true,
    O: 1700000000001,
    Z: "3.75000000",
    Y: "3.75000000",
    Q: "0.00000000",
  };
}

describe("parseUserFrame", () => {
  test("reads the reference's executionReport NEW example, keys case-sensitively", () => {
    const frame = parseUserFrame(EXECUTION_REPORT_NEW);
    assert.equal(frame.kind, "event");
    if (frame.kind !== "event") return;
    assert.equal(frame.subscriptionId, 0);
    const msg = frame.event as ExecutionReportMsg;
    assert.equal(msg.e, "executionReport");
    assert.equal(msg.c, "mUvoqJxFIILMdfAW5iGSOW");
    assert.equal(msg.C, "");
    assert.equal(msg.x, "NEW");
    assert.equal(msg.X, "NEW");
    assert.equal(msg.i, 4293153);
    assert.equal(msg.q, "1.00000000");
    assert.equal(msg.Q, "0.00000000");
    assert.equal(msg.p, "0.10264410");
    assert.equal(msg.P, "0.00000000");
    assert.equal(msg.l, "0.00000000");
    assert.equal(msg.L, "0.00000000");
    assert.equal(msg.N, null);
    assert.equal(msg.t, -1);
    assert.equal(msg.T, 1499405658657);
    assert.equal(msg.W, 1499405658657);
    assert.equal(msg.V, "NONE");
    assert.equal(msg.m, false);
  });

  test("reads both outboundAccountPosition examples", () => {
    const a = parseUserFrame(ACCOUNT_POSITION);
    assert.deepEqual(a, {
      kind: "event",
      subscriptionId: 0,
      event: {
        e: "outboundAccountPosition",
        E: 1564034571105,
        u: 1564034571073,
        B: [{ a: "ETH", f: "10000.000000", l: "0.000000" }],
      },
    });
    const b = parseUserFrame(ACCOUNT_POSITION_2);
    assert.equal(b.kind, "event");
    if (b.kind === "event" && b.event.e === "outboundAccountPosition") {
      assert.deepEqual(
        b.event.B.map((x) => [x.a, x.f, x.l]),
        [
          ["BTC", "11818.00000000", "182.00000000"],
          ["USDT", "10580.00000000", "70.00000000"],
        ],
      );
    }
  });

  test("reads a fill with the older field set (no W/V), maker flag and BNB commission", () => {
    const frame = parseUserFrame(JSON.stringify({ subscriptionId: 3, event: olderTradeEvent() }));
    assert.equal(frame.kind, "event");
    if (frame.kind !== "event" || frame.event.e !== "executionReport") return;
    assert.equal(frame.subscriptionId, 3);
    assert.equal(frame.event.x, "TRADE");
    assert.equal(frame.event.t, 98765432);
    assert.equal(frame.event.l, "50.00000000");
    assert.equal(frame.event.L, "0.07500000");
    assert.equal(frame.event.z, "50.00000000");
    assert.equal(frame.event.Z, "3.75000000");
    assert.equal(frame.event.N, "BNB");
    assert.equal(frame.event.m, true);
    assert.equal(frame.event.W, undefined);
    assert.equal(frame.event.V, undefined);
  });

  test("reads balanceUpdate, eventStreamTerminated and serverShutdown (no subscriptionId)", () => {
    assert.deepEqual(
      parseUserFrame(
        `{"subscriptionId":0,"event":{"e":"balanceUpdate","E":1573200697110,"a":"BTC","d":"100.00000000","T":1573200697068}}`,
      ),
      {
        kind: "event",
        subscriptionId: 0,
        event: { e: "balanceUpdate", E: 1573200697110, a: "BTC", d: "100.00000000", T: 1573200697068 },
      },
    );
    assert.deepEqual(
      parseUserFrame(`{"subscriptionId":0,"event":{"e":"eventStreamTerminated","E":1728973001334}}`),
      {
        kind: "event",
        subscriptionId: 0,
        event: { e: "eventStreamTerminated", E: 1728973001334 },
      },
    );
    assert.deepEqual(parseUserFrame(`{"event":{"e":"serverShutdown","E":1770123456789}}`), {
      kind: "event",
      subscriptionId: undefined,
      event: { e: "serverShutdown", E: 1770123456789 },
    });
  });

  test("keeps only the type of events DES does not use", () => {
    assert.deepEqual(
      parseUserFrame(
        `{"subscriptionId":0,"event":{"e":"externalLockUpdate","E":1581557507324,"a":"NEO","d":"10.00000000","T":1581557507268}}`,
      ),
      { kind: "event", subscriptionId: 0, event: { e: "other", type: "externalLockUpdate" } },
    );
  });

  test("reads success and error responses with their rate limits", () => {
    assert.deepEqual(
      parseUserFrame(
        `{"id":"d3df8a22-98ea-4fe0-9f4e-0fcea5d418b7","status":200,"result":{"subscriptionId":0}}`,
      ),
      {
        kind: "response",
        response: { id: "d3df8a22-98ea-4fe0-9f4e-0fcea5d418b7", status: 200, result: { subscriptionId: 0 } },
      },
    );
    const err = parseUserFrame(
      `{"id":7,"status":400,"error":{"code":-2010,"msg":"Account has insufficient balance for requested action."},"rateLimits":[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":1}]}`,
    );
    assert.equal(err.kind, "response");
    if (err.kind !== "response") return;
    assert.equal(err.response.id, 7);
    assert.deepEqual(err.response.error, {
      code: -2010,
      msg: "Account has insufficient balance for requested action.",
    });
    assert.equal(err.response.rateLimits?.length, 1);
  });

  test("returns errors as values naming the problem", () => {
    const cases: Array<[string, RegExp]> = [
      ["not json", /not JSON/],
      ["[1,2]", /not an object/],
      [`{"foo":1}`, /neither/],
      [`{"id":1,"status":400}`, /no "error"/],
      [`{"subscriptionId":"0","event":{"e":"serverShutdown","E":1}}`, /subscriptionId/],
      [
        `{"subscriptionId":0,"event":{"e":"balanceUpdate","E":1,"a":"BTC","d":1.5,"T":1}}`,
        /balanceUpdate: field "d"/,
      ],
      [
        `{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1,"u":1,"B":[{"a":"X","f":"1","L":"0"}]}}`,
        /field "l"/,
      ],
    ];
    for (const [text, reason] of cases) {
      const frame = parseUserFrame(text);
      assert.equal(frame.kind, "invalid", text);
      if (frame.kind === "invalid") assert.match(frame.reason, reason, text);
    }
  });

  test("rejects an executionReport whose keys have the wrong case or type", () => {
    const lowerX = olderTradeEvent();
    delete lowerX["X"];
    lowerX["x"] = "TRADE";
    const r1 = parseUserEvent(lowerX);
    assert.ok(isUserParseError(r1));
    assert.match(r1.reason, /executionReport: field "X"/);

    const numericQty = { ...olderTradeEvent(), l: 50 };
    const r2 = parseUserEvent(numericQty);
    assert.ok(isUserParseError(r2));
    assert.match(r2.reason, /field "l" is not a string/);

    const badDecimal = { ...olderTradeEvent(), L: "1e-5" };
    const r3 = parseUserEvent(badDecimal);
    assert.ok(isUserParseError(r3));
    assert.match(r3.reason, /field "L" is not a decimal/);

    const tradeWithoutId = { ...olderTradeEvent(), t: -1 };
    assert.ok(isUserParseError(parseUserEvent(tradeWithoutId)));

    const unknownExecType = { ...olderTradeEvent(), x: "AMENDED" };
    assert.ok(isUserParseError(parseUserEvent(unknownExecType)));
  });

  test("never throws, whatever the frame holds", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const frame = parseUserFrame(JSON.stringify({ subscriptionId: 0, event: value }));
        assert.ok(frame.kind === "event" || frame.kind === "invalid");
        parseUserFrame(JSON.stringify(value));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.record({ e: fc.constant("executionReport") }, { requiredKeys: [] }).chain((base) =>
          fc.dictionary(fc.constantFrom(...Object.keys(olderTradeEvent())), fc.jsonValue()).map((d) => ({
            ...olderTradeEvent(),
            ...base,
            ...d,
          })),
        ),
        (event) => {
          parseUserEvent(event);
        },
      ),
      { numRuns: 500 },
    );
  });
});
