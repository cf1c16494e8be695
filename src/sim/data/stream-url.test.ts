import assert from "node:assert/strict";
import { test } from "node:test";
import { isValidStreamName } from "./stream-name.ts";
import { parseStreamUrl } from "./stream-url.ts";

test("stream names: lowercase symbol plus a Binance stream type", () => {
  for (const ok of [
    "btcusdt@trade",
    "btcusdt@aggTrade",
    "btcusdt@depth",
    "btcusdt@depth@100ms",
    "btcusdt@depth20@100ms",
    "btcusdt@kline_1M",
    "btcusdt@kline_1m@+08:00",
    "btcusdt@bookTicker",
    "btcusdt@miniTicker",
    "!miniTicker@arr",
  ]) {
    assert.ok(isValidStreamName(ok), ok);
  }
  for (const bad of [
    "BTCUSDT@trade",
    "btcusdt@depth15",
    "btcusdt@kline_2m",
    "btcusdt",
    "@trade",
    "!ticker@arr",
  ]) {
    assert.ok(!isValidStreamName(bad), bad);
  }
});

test("raw, multi-raw, empty and combined URLs, with timeUnit", () => {
  assert.deepEqual(parseStreamUrl("/ws/btcusdt@trade", 1024), {
    ok: true,
    combined: false,
    streams: ["btcusdt@trade"],
    microseconds: false,
  });
  assert.deepEqual(parseStreamUrl("/ws/a1@trade/b1@depth", 1024), {
    ok: true,
    combined: false,
    streams: ["a1@trade", "b1@depth"],
    microseconds: false,
  });
  assert.deepEqual(parseStreamUrl("/ws", 1024), {
    ok: true,
    combined: false,
    streams: [],
    microseconds: false,
  });
  assert.deepEqual(
    parseStreamUrl("/stream?streams=btcusdt@trade/btcusdt@kline_1m&timeUnit=MICROSECOND", 1024),
    {
      ok: true,
      combined: true,
      streams: ["btcusdt@trade", "btcusdt@kline_1m"],
      microseconds: true,
    },
  );
  assert.equal(parseStreamUrl("/ws/btcusdt@kline_1m@%2B08:00", 1024).ok, true);
});

test("unknown paths are 404; bad streams, too many streams and bad timeUnit are 400", () => {
  assert.equal(parseStreamUrl("/ws-api/v3", 1024).ok, false);
  const notFound = parseStreamUrl("/api/v3/ping", 1024);
  assert.ok(!notFound.ok && notFound.status === 404);
  const bad = parseStreamUrl("/ws/BTCUSDT@trade", 1024);
  assert.ok(!bad.ok && bad.status === 400 && bad.msg === "Invalid request: invalid stream");
  const many = parseStreamUrl("/ws/a1@trade/b1@trade/c1@trade", 2);
  assert.ok(!many.ok && many.status === 400);
  assert.equal(parseStreamUrl("/ws/a1@trade?timeUnit=NANO", 5).ok, false);
});
