import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Decimal } from "../../../core/index.ts";
import { readWsCapture } from "../stream/test-support/captures.ts";
import { parseMarketFrameFast } from "./parse-market-fast.ts";
import { type MarketFrame, parseMarketFrame, parseMarketFrameJson } from "./parse-market-frame.ts";

const EVENT_KINDS = new Set([
  "trade",
  "quote",
  "bar",
  "depth",
  "miniTicker",
  "serverShutdown",
  "controlResult",
  "controlError",
]);

// Valid frames of every kind to mutate: the real capture plus documented trade, kline, miniTicker, shutdown and control frames.
const SEEDS: string[] = [
  ...readWsCapture()
    .map((f) => f.text)
    .filter((_, i) => i % 5 === 0 || i > 240),
  '{"stream":"bnbbtc@trade","data":{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}}',
  '{"stream":"bnbbtc@kline_5m","data":{"e":"kline","E":1672515782136,"s":"BNBBTC","k":{"t":1672515780000,"T":1672516079999,"s":"BNBBTC","i":"5m","f":100,"L":200,"o":"0.0010","c":"0.0020","h":"0.0025","l":"0.0015","v":"1000","n":100,"x":true,"q":"1.0000","V":"500","Q":"0.500","B":"123456"}}}',
  '{"stream":"bnbbtc@miniTicker","data":{"e":"24hrMiniTicker","E":1672515782136,"s":"BNBBTC","c":"0.0025","o":"0.0010","h":"0.0025","l":"0.0010","v":"10000","q":"18"}}',
  '{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}',
  '{"result":null,"id":1}',
  '{"code":2,"msg":"Invalid request: too many parameters","id":7}',
];

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e300,
  "",
  "x",
  "-1",
  "1e5",
  "0.0.1",
  [],
  {},
  [["1"]],
  "9".repeat(80),
];

/** Replaces, deletes or adds one key somewhere in the parsed frame (depth-first over objects and arrays). */
function mutateValue(root: unknown, path: number, choice: number, value: unknown): unknown {
  let seen = 0;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== "object" || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const here = seen++ === path;
      if (here && choice === 0) continue; // delete the key
      out[k] = here && choice === 1 ? value : walk(v);
    }
    if (seen - 1 === path && choice === 2) out.zz = value;
    return out;
  };
  return walk(root);
}

const mutatedFrame = fc.oneof(
  // Truncated anywhere.
  fc.tuple(fc.constantFrom(...SEEDS), fc.nat()).map(([s, n]) => s.slice(0, n % (s.length + 1))),
  // A key deleted, replaced by a wrong-typed value, or added.
  fc
    .tuple(fc.constantFrom(...SEEDS), fc.nat(60), fc.nat(2), fc.constantFrom(...WEIRD_VALUES))
    .map(([s, path, choice, value]) => JSON.stringify(mutateValue(JSON.parse(s), path, choice, value))),
  // Garbage spliced in.
  fc
    .tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.string({ maxLength: 8 }))
    .map(([s, at, junk]) => s.slice(0, at % s.length) + junk + s.slice(at % s.length)),
  // A character replaced (digits in prices, quotes, braces).
  fc
    .tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.constantFrom(...'0-.e"{}[],: x'))
    .map(([s, at, c]) => s.slice(0, at % s.length) + c + s.slice((at % s.length) + 1)),
  // Whitespace, control characters or non-ASCII text spliced in (JSON allows only space, tab, CR, LF between tokens).
  fc
    .tuple(
      fc.constantFrom(...SEEDS),
      fc.nat(),
      fc.constantFrom(" ", "\t", "\n", "\r", "\u0001", "\u001f", "\u00e9", "\ud83d", "\u2028"),
    )
    .map(([s, at, c]) => s.slice(0, at % s.length) + c + s.slice(at % s.length)),
  // Numbers in every JSON spelling.
  fc
    .tuple(
      fc.constantFrom(...SEEDS),
      fc.nat(),
      fc.constantFrom(
        "0",
        "-0",
        "01",
        "1e3",
        "1E+3",
        "1.0",
        "-1",
        "1.",
        ".5",
        "1e",
        "9007199254740993",
        "123456789012345678",
      ),
    )
    .map(([s, at, n]) => {
      const colon = s.indexOf(":", at % s.length);
      if (colon < 0) return s;
      const end = s.slice(colon + 1).search(/[,}]/);
      return end < 0 ? s : s.slice(0, colon + 1) + n + s.slice(colon + 1 + end);
    }),
  // Pretty-printed.
  fc.constantFrom(...SEEDS).map((s) => JSON.stringify(JSON.parse(s), null, 2)),
  // Arbitrary JSON and arbitrary text.
  fc.json(),
  fc.string({ maxLength: 200 }),
);

/** Checks that an event the parser accepted holds only well-formed values. */
function checkEvent(frame: MarketFrame): void {
  const decimals: unknown[] = [];
  const times: unknown[] = [];
  switch (frame.kind) {
    case "trade":
      decimals.push(frame.price, frame.quantity);
      times.push(frame.eventTime);
      assert.ok(frame.price.isPositive() && frame.quantity.isPositive());
      assert.match(frame.tradeId, /^\d+$/);
      break;
    case "quote":
      decimals.push(frame.bid, frame.bidSize, frame.ask, frame.askSize);
      times.push(frame.eventTime);
      break;
    case "bar":
      decimals.push(frame.open, frame.high, frame.low, frame.close, frame.volume, frame.quoteVolume);
      times.push(frame.openTime, frame.closeTime);
      assert.ok(frame.closeTime > frame.openTime);
      break;
    case "depth":
      for (const l of [...frame.bids, ...frame.asks]) decimals.push(l.price, l.quantity);
      assert.ok(frame.finalUpdateId >= frame.firstUpdateId);
      break;
    case "miniTicker":
      decimals.push(frame.open, frame.high, frame.low, frame.close, frame.volume, frame.quoteVolume);
      break;
    default:
      break;
  }
  for (const d of decimals) assert.ok(d instanceof Decimal && !d.isNegative());
  for (const t of times) assert.ok(Number.isSafeInteger(t) && (t as number) > 0);
}

describe("parseMarketFrame under 10,000 randomly mutated frames", () => {
  test("never throws; every frame is a well-formed event or an error value with a reason", () => {
    let events = 0;
    let errors = 0;
    fc.assert(
      fc.property(mutatedFrame, (text) => {
        const frame = parseMarketFrame(text, 1_700_000_000_000_000);
        if (frame.kind === "error") {
          assert.ok(frame.reason.length > 0);
          errors++;
        } else {
          assert.ok(EVENT_KINDS.has(frame.kind), frame.kind);
          checkEvent(frame);
          events++;
        }
      }),
      { numRuns: 10_000 },
    );
    assert.equal(events + errors, 10_000);
    // Both outcomes must occur, or the mutations are not exercising the validation.
    assert.ok(errors > 1000, `errors ${errors}`);
    assert.ok(events > 500, `events ${events}`);
  });

  test("a frame missing any required field of its event is an error", () => {
    const trade = JSON.parse(SEEDS.at(-6)!) as { data: Record<string, unknown> };
    for (const key of ["E", "s", "t", "p", "q", "T", "m"]) {
      const data = { ...trade.data };
      delete data[key];
      const frame = parseMarketFrame(JSON.stringify({ stream: "bnbbtc@trade", data }), 1);
      assert.equal(frame.kind, "error", key);
    }
  });
});

describe("the JSON-free scanner (parseMarketFrameFast) agrees with the JSON.parse path", () => {
  test("it takes every trade, aggTrade, bookTicker and kline frame of the capture, with equal results", () => {
    let taken = 0;
    for (const f of readWsCapture()) {
      const fast = parseMarketFrameFast(f.text, 7);
      const slow = parseMarketFrameJson(f.text, 7);
      if (slow.kind === "trade" || slow.kind === "quote" || slow.kind === "bar") {
        assert.ok(fast !== undefined, f.text.slice(0, 80));
        taken++;
      }
      if (fast !== undefined) assert.deepStrictEqual(fast, slow);
    }
    assert.equal(taken, 88);
  });

  test("whatever it accepts among 20,000 mutated frames, JSON.parse accepts with a deep-equal event", () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutatedFrame, (text) => {
        const fast = parseMarketFrameFast(text, 7);
        if (fast === undefined) return;
        accepted++;
        assert.deepStrictEqual(fast, parseMarketFrameJson(text, 7), text);
      }),
      { numRuns: 20_000 },
    );
    assert.ok(accepted > 500, `only ${accepted} accepted`);
  });

  test("it leaves to JSON.parse what needs it: escapes, repeated keys, arrays, raw frames, other events", () => {
    const trade =
      '{"stream":"bnbbtc@trade","data":{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}}';
    assert.ok(parseMarketFrameFast(trade, 1) !== undefined);
    const doubtful = [
      trade.replace('"s":"BNBBTC"', '"s":"BNB\\u0042TC"'),
      trade.replace('"t":12345', '"t":1,"t":12345'),
      trade.replace('"M":true', '"M":[1]'),
      trade.replace('"M":true', '"M":{"x":1}'),
      trade.replace('"stream":"bnbbtc@trade",', ""),
      JSON.stringify(JSON.parse(trade).data),
      `${trade} x`,
      trade.replace('"e":"trade"', '"e":"depthUpdate"'),
    ];
    for (const text of doubtful) assert.equal(parseMarketFrameFast(text, 1), undefined, text);
    // The same frames through parseMarketFrame still come out right.
    assert.equal(parseMarketFrame(doubtful[0]!, 1).kind, "trade");
    assert.equal(parseMarketFrame(doubtful[1]!, 1).kind, "trade");
    assert.equal(parseMarketFrame(doubtful[5]!, 1).kind, "trade");
    assert.equal(parseMarketFrame(doubtful[6]!, 1).kind, "error");
  });
});
