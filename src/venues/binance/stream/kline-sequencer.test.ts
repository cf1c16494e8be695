import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dec, instrumentId, type UnixMicros } from "../../../core/index.ts";
import type { Bar } from "../../../model/index.ts";
import type { KlineRowMsg } from "../wire/rest-msgs.ts";
import { KlineSequencer, type KlineSequencerOptions } from "./kline-sequencer.ts";
import { waitUntil } from "./test-support/fake-stream-server.ts";

const MIN = 60_000;
const T0 = 1_633_998_480_000; // 2021-10-12 00:28 UTC, the capture's minute

function bar(openMs: number, closed: boolean, close = "1"): Bar {
  return {
    kind: "bar",
    instrumentId: instrumentId("NKNUSDT"),
    interval: "1m",
    openTime: (openMs * 1000) as UnixMicros,
    closeTime: ((openMs + MIN - 1) * 1000 + 999) as UnixMicros,
    open: dec("1"),
    high: dec("2"),
    low: dec("0.5"),
    close: dec(close),
    volume: dec("10"),
    quoteVolume: dec("10"),
    tradeCount: 3,
    closed,
    receivedAt: 0 as UnixMicros,
  };
}

function row(openMs: number, close = "1"): KlineRowMsg {
  return [openMs, "1", "2", "0.5", close, "10", openMs + MIN - 1, "10", 3, "5", "5", "0"];
}

interface Call {
  startTime: number;
  endTime: number;
  limit: number;
  resolve(rows: unknown): void;
  reject(e: Error): void;
}

function harness(overrides: Partial<KlineSequencerOptions> = {}) {
  const delivered: Bar[] = [];
  const calls: Call[] = [];
  const errors: Array<[string, boolean]> = [];
  const seq = new KlineSequencer({
    instrumentId: instrumentId("NKNUSDT"),
    interval: "1m",
    fetchKlines: (startTime, endTime, limit) =>
      new Promise((resolve, reject) => calls.push({ startTime, endTime, limit, resolve, reject })),
    deliver: (b) => delivered.push(b),
    nowMicros: () => 42,
    retryDelayMs: () => 0,
    onBackfillError: (reason, final) => errors.push([reason, final]),
    ...overrides,
  });
  const closedOpens = () => delivered.filter((b) => b.closed).map((b) => (b.openTime / 1000 - T0) / MIN);
  return { seq, delivered, calls, errors, closedOpens };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("KlineSequencer", () => {
  test("live: closed bars once and in order, in-progress updates forwarded, stale ones dropped", () => {
    const { seq, delivered, closedOpens } = harness();
    seq.onBar(bar(T0, false));
    seq.onBar(bar(T0, true));
    seq.onBar(bar(T0, true)); // repeated close
    seq.onBar(bar(T0, false)); // late update of a closed bar
    seq.onBar(bar(T0 + MIN, false));
    assert.deepEqual(closedOpens(), [0]);
    assert.deepEqual(
      delivered.map((b) => [(b.openTime / 1000 - T0) / MIN, b.closed]),
      [
        [0, false],
        [0, true],
        [1, false],
      ],
    );
    assert.equal(seq.stats.duplicateBarsDropped, 1);
  });

  test("forwardOpenBars false delivers closed bars only", () => {
    const { seq, delivered } = harness({ forwardOpenBars: false });
    seq.onBar(bar(T0, false));
    seq.onBar(bar(T0, true));
    assert.deepEqual(
      delivered.map((b) => b.closed),
      [true],
    );
  });

  test("after a gap, the first frame back-fills the missed closed bars from REST, exactly once, in order", async () => {
    const { seq, calls, closedOpens, delivered } = harness();
    seq.onBar(bar(T0, true));
    seq.markGap();
    seq.onBar(bar(T0 + 4 * MIN, false)); // first frame of the new connection: minute 4 in progress
    seq.onBar(bar(T0 + 4 * MIN, false, "7")); // coalesced while the back-fill runs
    assert.equal(seq.backfilling, true);
    assert.equal(calls.length, 1);
    assert.deepEqual([calls[0]!.startTime, calls[0]!.endTime], [T0 + MIN, T0 + 4 * MIN - 1]);
    // REST also returns the already delivered minute 0 and (wrongly) minute 4: both must be ignored.
    calls[0]!.resolve([row(T0), row(T0 + MIN), row(T0 + 2 * MIN), row(T0 + 3 * MIN), row(T0 + 4 * MIN)]);
    await settle();
    seq.onBar(bar(T0 + 3 * MIN, true)); // a late close of a back-filled minute
    seq.onBar(bar(T0 + 4 * MIN, true));
    assert.deepEqual(closedOpens(), [0, 1, 2, 3, 4]);
    assert.equal(seq.stats.backfilledBars, 3);
    assert.equal(seq.stats.duplicateBarsDropped, 2);
    assert.equal(seq.stats.openBarsCoalesced, 1);
    const open = delivered.filter((b) => !b.closed);
    assert.deepEqual(
      open.map((b) => b.close.toString()),
      ["7"],
    );
    assert.equal(delivered[1]!.receivedAt, 42); // back-filled bars carry the time they arrived
  });

  test("a closed bar arriving first after the gap is delivered after the back-fill", async () => {
    const { seq, calls, closedOpens } = harness();
    seq.onBar(bar(T0, true));
    seq.markGap();
    seq.onBar(bar(T0 + 2 * MIN, true));
    calls[0]!.resolve([row(T0 + MIN)]);
    await settle();
    assert.deepEqual(closedOpens(), [0, 1, 2]);
  });

  test("no bar missed: no REST call", () => {
    const { seq, calls, closedOpens } = harness();
    seq.onBar(bar(T0, true));
    seq.markGap();
    seq.onBar(bar(T0 + MIN, false));
    seq.onBar(bar(T0 + MIN, true));
    assert.equal(calls.length, 0);
    assert.deepEqual(closedOpens(), [0, 1]);
  });

  test("long gaps are fetched in pages of 1000", async () => {
    const { seq, calls, closedOpens } = harness();
    seq.onBar(bar(T0, true));
    seq.markGap();
    seq.onBar(bar(T0 + 1500 * MIN, false));
    assert.deepEqual([calls[0]!.startTime, calls[0]!.limit], [T0 + MIN, 1000]);
    calls[0]!.resolve(Array.from({ length: 1000 }, (_, i) => row(T0 + (i + 1) * MIN)));
    await waitUntil(() => calls.length === 2, "the second page");
    assert.equal(calls[1]!.startTime, T0 + 1001 * MIN);
    calls[1]!.resolve(Array.from({ length: 499 }, (_, i) => row(T0 + (i + 1001) * MIN)));
    await settle();
    assert.equal(closedOpens().length, 1500);
    assert.deepEqual(closedOpens().slice(-2), [1498, 1499]);
  });

  test("failed attempts are retried; after the last one the gap is given up, counted, and the stream goes on", async () => {
    const { seq, calls, errors, closedOpens } = harness({ maxAttempts: 2 });
    seq.onBar(bar(T0, true));
    seq.markGap();
    seq.onBar(bar(T0 + 3 * MIN, true));
    calls[0]!.reject(new Error("HTTP 503"));
    await waitUntil(() => calls.length === 2, "a retry");
    calls[1]!.resolve([["not", "a", "row"]]);
    await settle();
    assert.deepEqual(errors, [
      ["HTTP 503", false],
      ["kline row: expected an array of at least 9 fields", true],
    ]);
    assert.equal(seq.stats.backfillFailures, 1);
    assert.deepEqual(closedOpens(), [0, 3]);
  });

  test("a second gap during a back-fill back-fills again from where the first ended", async () => {
    const { seq, calls, closedOpens } = harness();
    seq.onBar(bar(T0, true));
    seq.markGap();
    seq.onBar(bar(T0 + 2 * MIN, false));
    seq.onBar(bar(T0 + 2 * MIN, true)); // queued
    seq.markGap(); // the new connection dropped too
    seq.onBar(bar(T0 + 5 * MIN, false));
    calls[0]!.resolve([row(T0 + MIN)]);
    await waitUntil(() => calls.length === 2, "the second back-fill");
    assert.deepEqual([calls[1]!.startTime, calls[1]!.endTime], [T0 + 3 * MIN, T0 + 5 * MIN - 1]);
    calls[1]!.resolve([row(T0 + 3 * MIN), row(T0 + 4 * MIN)]);
    await settle();
    assert.deepEqual(closedOpens(), [0, 1, 2, 3, 4]);
  });

  test("stop() drops queued bars and ignores a back-fill that returns later", async () => {
    const { seq, calls, closedOpens } = harness();
    seq.onBar(bar(T0, true));
    seq.markGap();
    seq.onBar(bar(T0 + 2 * MIN, true));
    seq.stop();
    calls[0]!.resolve([row(T0 + MIN)]);
    await settle();
    assert.deepEqual(closedOpens(), [0]);
  });
});
