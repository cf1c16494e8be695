import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { instrumentId } from "../../../core/index.ts";
import type { DepthUpdate } from "../wire/parse-market-depth-update.ts";
import { parseMarketFrame } from "../wire/parse-market-frame.ts";
import { OrderBookSync, type OrderBookSyncOptions } from "./order-book-sync.ts";
import { readDepthSnapshots, readWsCapture } from "./test-support/captures.ts";
import { waitUntil } from "./test-support/fake-stream-server.ts";

const frames = readWsCapture().map((f) => parseMarketFrame(f.text, Math.round(f.receivedAtS * 1e6)));
const snapshots = readDepthSnapshots();

function diffsOf(symbol: string): DepthUpdate[] {
  return frames.filter((f): f is DepthUpdate => f.kind === "depth" && f.instrumentId === symbol);
}

/** A sync whose snapshot requests the test answers by hand. */
function harness(symbol: string, overrides: Partial<OrderBookSyncOptions> = {}) {
  const requests: Array<{ resolve(body: unknown): void; reject(e: Error): void }> = [];
  const sync = new OrderBookSync({
    instrumentId: instrumentId(symbol),
    fetchSnapshot: () => new Promise((resolve, reject) => requests.push({ resolve, reject })),
    bufferLimit: 1000,
    retryDelayMs: () => 0,
    ...overrides,
  });
  return { sync, requests };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("OrderBookSync with the real capture (cryptofeed, 2021-10-12)", () => {
  for (const symbol of ["NKNUSDT", "BLZETH", "LRCBTC", "RUNEEUR"]) {
    test(`${symbol}: snapshot + buffered diffs, then every diff applied in step`, async () => {
      const { sync, requests } = harness(symbol);
      const diffs = diffsOf(symbol);
      sync.onDiff(diffs[0]!); // step 2: buffer, then the snapshot is requested
      assert.equal(sync.state, "fetching");
      assert.equal(requests.length, 1);
      requests[0]!.resolve(snapshots.get(symbol));
      await settle();
      assert.equal(sync.state, "live");
      for (const d of diffs.slice(1)) sync.onDiff(d);
      assert.equal(sync.book.lastUpdateId, diffs.at(-1)!.finalUpdateId);
      assert.deepEqual([sync.stats.gaps, sync.stats.resyncs], [0, 0]);
    });
  }

  test("NKNUSDT: the first diff (u = snapshot id) is discarded and the book agrees with every bookTicker of the same update id", async () => {
    // bookTicker's u shares the id space of the diffs: whenever the book reaches a bookTicker's id,
    // its best levels must be that bookTicker's.
    const tickers = new Map<number, string[]>();
    for (const f of readWsCapture()) {
      const data = (JSON.parse(f.text) as { data: Record<string, unknown> }).data;
      if (data.e === undefined && data.s === "NKNUSDT") {
        tickers.set(
          data.u as number,
          [data.b, data.B, data.a, data.A].map((v) => String(Number(v))),
        );
      }
    }
    let checked = 0;
    const { sync, requests } = harness("NKNUSDT", {
      onUpdate: (book) => {
        const expected = tickers.get(book.lastUpdateId);
        if (expected === undefined) return;
        const bid = book.bestBid()!;
        const ask = book.bestAsk()!;
        assert.deepEqual(
          [bid.price, bid.quantity, ask.price, ask.quantity].map((d) => d.toString()),
          expected,
          `best levels at update id ${book.lastUpdateId}`,
        );
        checked++;
      },
    });
    const diffs = diffsOf("NKNUSDT");
    sync.onDiff(diffs[0]!);
    requests[0]!.resolve(snapshots.get("NKNUSDT"));
    await settle();
    // Snapshot 499869752 contains the first diff (U=499869750, u=499869752): nothing was applied.
    assert.deepEqual([sync.book.lastUpdateId, sync.stats.applied], [499869752, 0]);
    for (const d of diffs.slice(1)) sync.onDiff(d);
    assert.equal(sync.stats.applied, diffs.length - 1);
    assert.ok(checked >= 15, `only ${checked} bookTickers checked`);
  });

  test("a missing diff is a gap: the book is discarded, counted, and rebuilt from a new snapshot", async () => {
    const resyncs: string[] = [];
    const { sync, requests } = harness("NKNUSDT", { onResync: (reason) => resyncs.push(reason) });
    const diffs = diffsOf("NKNUSDT");
    sync.onDiff(diffs[0]!);
    requests[0]!.resolve(snapshots.get("NKNUSDT"));
    await settle();
    for (const d of diffs.slice(1, 10)) sync.onDiff(d);
    assert.equal(sync.state, "live");
    sync.onDiff(diffs[11]!); // diffs[10] lost
    assert.deepEqual([sync.stats.gaps, sync.state, resyncs], [1, "fetching", ["gap"]]);
    assert.equal(sync.book.bestBid(), undefined);
    // A fresh snapshot inside the buffered diff's [U; u] range, as step 5 requires.
    const fresh = { lastUpdateId: diffs[11]!.firstUpdateId, bids: [["0.35", "1"]], asks: [["0.36", "2"]] };
    requests[1]!.resolve(fresh);
    await settle();
    assert.equal(sync.state, "live");
    assert.equal(sync.book.lastUpdateId, diffs[11]!.finalUpdateId);
  });

  test("a snapshot older than the first buffered diff is fetched again (step 4)", async () => {
    const { sync, requests } = harness("NKNUSDT");
    const diffs = diffsOf("NKNUSDT");
    sync.onDiff(diffs[5]!);
    requests[0]!.resolve(snapshots.get("NKNUSDT")); // 499869752 < U of diffs[5]
    await waitUntil(() => requests.length === 2, "the second snapshot request");
    assert.equal(sync.stats.staleSnapshots, 1);
    requests[1]!.resolve({ lastUpdateId: diffs[5]!.firstUpdateId, bids: [], asks: [] });
    await settle();
    assert.equal(sync.state, "live");
    assert.equal(sync.book.lastUpdateId, diffs[5]!.finalUpdateId);
  });

  test("a failed or invalid snapshot is counted and retried", async () => {
    const errors: string[] = [];
    const { sync, requests } = harness("NKNUSDT", { onSnapshotError: (r) => errors.push(r) });
    const diffs = diffsOf("NKNUSDT");
    sync.onDiff(diffs[0]!);
    requests[0]!.reject(new Error("HTTP 503"));
    await waitUntil(() => requests.length === 2, "a retry");
    requests[1]!.resolve({ lastUpdateId: "x", bids: [], asks: [] });
    await waitUntil(() => requests.length === 3, "a second retry");
    requests[2]!.resolve(snapshots.get("NKNUSDT"));
    await settle();
    assert.equal(sync.state, "live");
    assert.equal(sync.stats.snapshotErrors, 2);
    assert.match(errors[0]!, /503/);
    assert.match(errors[1]!, /lastUpdateId/);
  });

  test("a full buffer is dropped and the sync restarts (counted); an answer to the old request is ignored", async () => {
    const { sync, requests } = harness("NKNUSDT", { bufferLimit: 3 });
    const diffs = diffsOf("NKNUSDT");
    for (const d of diffs.slice(0, 4)) sync.onDiff(d);
    assert.equal(sync.stats.bufferOverflows, 1);
    assert.equal(sync.buffered, 1);
    assert.equal(requests.length, 2);
    requests[0]!.resolve(snapshots.get("NKNUSDT")); // stale generation
    await settle();
    assert.equal(sync.state, "fetching");
    requests[1]!.resolve({ lastUpdateId: diffs[3]!.firstUpdateId, bids: [], asks: [] });
    await settle();
    assert.equal(sync.state, "live");
  });

  test("restart() (after a reconnect) discards the book; stop() ends fetching", async () => {
    const { sync, requests } = harness("NKNUSDT");
    const diffs = diffsOf("NKNUSDT");
    sync.onDiff(diffs[0]!);
    requests[0]!.resolve(snapshots.get("NKNUSDT"));
    await settle();
    sync.restart();
    assert.deepEqual([sync.state, sync.synced, sync.book.lastUpdateId], ["buffering", false, 0]);
    sync.stop();
    sync.onDiff(diffs[1]!);
    assert.equal(requests.length, 1);
  });
});
