import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DesError, TestClock } from "../core/index.ts";
import { OrderQueue, type OrderQueueConfig, type QueueDenied } from "./order-queue.ts";

function makeQueue(overrides: Partial<OrderQueueConfig<string>> = {}): {
  queue: OrderQueue<string>;
  clock: TestClock;
  denied: QueueDenied<string>[];
  waits: number[];
} {
  const clock = new TestClock();
  const denied: QueueDenied<string>[] = [];
  const waits: number[] = [];
  const queue = new OrderQueue<string>({
    clock,
    priorityCapacity: 2,
    mainCapacity: 4,
    overflowCapacity: 6,
    drainBatchSize: 2,
    onDenied: (d) => denied.push(d),
    onWait: (us) => waits.push(us),
    ...overrides,
  });
  return { queue, clock, denied, waits };
}

function drainAll(queue: OrderQueue<string>): string[] {
  const out: string[] = [];
  for (let item = queue.dequeue(); item !== undefined; item = queue.dequeue()) out.push(item);
  return out;
}

describe("OrderQueue", () => {
  it("dequeues the priority lane first, then the main lane in FIFO order", () => {
    const { queue } = makeQueue();
    assert.equal(queue.enqueue("a"), "main");
    assert.equal(queue.enqueue("b"), "main");
    assert.equal(queue.enqueue("stop-1", true), "priority");
    assert.equal(queue.enqueue("c"), "main");
    assert.equal(queue.enqueue("stop-2", true), "priority");
    assert.deepEqual(drainAll(queue), ["stop-1", "stop-2", "a", "b", "c"]);
  });

  it("a priority order queued later still overtakes waiting normal orders", () => {
    const { queue } = makeQueue();
    queue.enqueue("a");
    queue.enqueue("b");
    assert.equal(queue.dequeue(), "a");
    queue.enqueue("panic", true);
    assert.equal(queue.dequeue(), "panic");
    assert.equal(queue.dequeue(), "b");
  });

  it("overflows when the main lane is full and drains in batches, keeping arrival order", () => {
    const { queue } = makeQueue();
    const lanes = ["o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7"].map((x) => queue.enqueue(x));
    assert.deepEqual(lanes, ["main", "main", "main", "main", "overflow", "overflow", "overflow", "overflow"]);
    assert.equal(queue.stats().depthOverflow, 4);
    // One free slot is less than a batch of 2: nothing moves yet.
    assert.equal(queue.dequeue(), "o0");
    assert.equal(queue.stats().depthOverflow, 4);
    assert.equal(queue.stats().drainBatches, 0);
    // Two free slots: one batch of 2 moves.
    assert.equal(queue.dequeue(), "o1");
    assert.deepEqual(
      [queue.stats().depthMain, queue.stats().depthOverflow, queue.stats().drainBatches],
      [4, 2, 1],
    );
    // A new normal order goes behind the older overflow orders, not into the main lane.
    assert.equal(queue.enqueue("o8"), "overflow");
    assert.deepEqual(drainAll(queue), ["o2", "o3", "o4", "o5", "o6", "o7", "o8"]);
    const s = queue.stats();
    assert.equal(s.enqueued, 9);
    assert.equal(s.dequeued, 9);
    assert.equal(s.overflowed, 5);
    assert.equal(s.drained, 5);
    assert.equal(s.denied, 0);
  });

  it("denies with QUEUE_FULL, as an event, only when every lane the order could use is full", () => {
    const { queue, denied } = makeQueue();
    for (let i = 0; i < 10; i++) assert.notEqual(queue.enqueue(`n${i}`), "denied");
    assert.equal(queue.enqueue("n10"), "denied");
    assert.equal(queue.enqueue("p0", true), "priority");
    assert.equal(queue.enqueue("p1", true), "priority");
    assert.equal(queue.enqueue("p2", true), "denied");
    assert.deepEqual(
      denied.map((d) => [d.kind, d.reason, d.item, d.priority]),
      [
        ["QueueDenied", "QUEUE_FULL", "n10", false],
        ["QueueDenied", "QUEUE_FULL", "p2", true],
      ],
    );
    const s = queue.stats();
    assert.equal(s.denied, 2);
    assert.equal(s.deniedPriority, 1);
    assert.equal(queue.size, 12);
  });

  it("moves what fits of a full overflow into the main lane before denying", () => {
    // batch 3 with 2 free main slots: a normal drain waits, a full overflow forces the move.
    const { queue } = makeQueue({ mainCapacity: 4, overflowCapacity: 3, drainBatchSize: 3 });
    for (let i = 0; i < 7; i++) queue.enqueue(`n${i}`);
    queue.dequeue();
    queue.dequeue();
    assert.equal(queue.stats().depthOverflow, 3);
    assert.equal(queue.enqueue("n7"), "overflow");
    assert.deepEqual(drainAll(queue), ["n2", "n3", "n4", "n5", "n6", "n7"]);
  });

  it("reports each order's queue wait at dequeue, overflow time included", () => {
    const { queue, clock, waits } = makeQueue({ mainCapacity: 1, drainBatchSize: 1 });
    queue.enqueue("a");
    queue.enqueue("b"); // overflow
    clock.advance(5);
    queue.enqueue("p", true);
    clock.advance(2);
    assert.deepEqual(drainAll(queue), ["p", "a", "b"]);
    assert.deepEqual(waits, [2000, 7000, 7000]);
    assert.equal(queue.lastWaitUs, 7000);
    assert.equal(queue.stats().maxWaitUs, 7000);
  });

  it("keeps going when a callback throws, counting it", () => {
    const { queue } = makeQueue({
      mainCapacity: 1,
      overflowCapacity: 1,
      drainBatchSize: 1,
      onDenied: () => {
        throw new Error("boom");
      },
      onWait: () => {
        throw new Error("boom");
      },
    });
    queue.enqueue("a");
    queue.enqueue("b");
    assert.equal(queue.enqueue("c"), "denied");
    assert.deepEqual(drainAll(queue), ["a", "b"]);
    assert.equal(queue.stats().callbackFailures, 3);
  });

  it("refuses a bad configuration", () => {
    assert.throws(() => makeQueue({ mainCapacity: 0 }), DesError);
    assert.throws(() => makeQueue({ drainBatchSize: 5, mainCapacity: 4 }), /exceeds mainCapacity/);
    assert.throws(() => makeQueue({ overflowCapacity: 1.5 }), /positive integer/);
  });

  it("wraps around its rings many times without losing or reordering anything", () => {
    const { queue } = makeQueue({ mainCapacity: 3, overflowCapacity: 5, drainBatchSize: 2 });
    const out: string[] = [];
    let next = 0;
    for (let round = 0; round < 1000; round++) {
      for (let k = 0; k < (round % 4) + 1; k++) if (queue.enqueue(`x${next}`) !== "denied") next++;
      for (let k = 0; k < (round % 3) + 1; k++) {
        const item = queue.dequeue();
        if (item !== undefined) out.push(item);
      }
    }
    out.push(...drainAll(queue));
    assert.equal(out.length, next);
    assert.deepEqual(
      out,
      out.map((_, i) => `x${i}`),
    );
  });
});
