import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { SubscriberFailed } from "../model/index.ts";
import { MessageBus } from "./message-bus.ts";
import { Topic } from "./topics.ts";

interface TestMessages {
  a: number;
  b: string;
  [Topic.SubscriberFailed]: SubscriberFailed;
}

function newBus(): MessageBus<TestMessages> {
  return new MessageBus<TestMessages>();
}

function statsOf(bus: MessageBus<TestMessages>, topic: string) {
  return bus.stats().find((s) => s.topic === topic);
}

/** Runs fn with process.stderr.write captured; returns what was written. */
function captureStderr(fn: () => void): string {
  const original = process.stderr.write;
  let written = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = original;
  }
  return written;
}

describe("MessageBus", () => {
  test("delivers every message to every subscriber, in publish order and subscription order", () => {
    const bus = newBus();
    const log: string[] = [];
    bus.subscribe("a", (n) => log.push(`s1:${n}`));
    bus.subscribe("a", (n) => log.push(`s2:${n}`));
    for (let n = 1; n <= 500; n++) bus.publish("a", n);
    const expected: string[] = [];
    for (let n = 1; n <= 500; n++) expected.push(`s1:${n}`, `s2:${n}`);
    assert.deepEqual(log, expected);
  });

  test("a message is delivered synchronously: publish returns after every subscriber ran", () => {
    const bus = newBus();
    let seen = 0;
    bus.subscribe("a", (n) => {
      seen = n;
    });
    bus.publish("a", 7);
    assert.equal(seen, 7);
  });

  test("publishing to a topic without subscribers is counted and harmless", () => {
    const bus = newBus();
    bus.publish("b", "nobody listens");
    assert.deepEqual(statsOf(bus, "b"), {
      topic: "b",
      subscribers: 0,
      published: 1,
      delivered: 0,
      failed: 0,
    });
  });

  test("a throwing subscriber does not stop the others and is reported on bus.subscriber-failed", () => {
    const bus = newBus();
    const log: string[] = [];
    const failures: SubscriberFailed[] = [];
    bus.subscribe("a", (n) => log.push(`first:${n}`), "first");
    bus.subscribe(
      "a",
      (n) => {
        if (n === 2) throw new Error(`cannot handle ${n}`);
        log.push(`flaky:${n}`);
      },
      "flaky",
    );
    bus.subscribe("a", (n) => log.push(`last:${n}`), "last");
    bus.subscribe(Topic.SubscriberFailed, (f) => {
      failures.push(f);
      log.push(`failed:${f.subscriber}`);
    });
    bus.publish("a", 1);
    bus.publish("a", 2);
    bus.publish("a", 3);
    assert.deepEqual(log, [
      "first:1",
      "flaky:1",
      "last:1",
      "first:2",
      "last:2",
      "failed:flaky", // reported after the failed message reached every subscriber
      "first:3",
      "flaky:3",
      "last:3",
    ]);
    assert.equal(failures.length, 1);
    const f = failures[0]!;
    assert.equal(f.kind, "SubscriberFailed");
    assert.equal(f.topic, "a");
    assert.equal(f.subscriber, "flaky");
    assert.equal(f.error, "cannot handle 2");
    assert.match(f.stack ?? "", /cannot handle 2/);
    assert.deepEqual(statsOf(bus, "a"), {
      topic: "a",
      subscribers: 3,
      published: 3,
      delivered: 8,
      failed: 1,
    });
    assert.deepEqual(statsOf(bus, Topic.SubscriberFailed), {
      topic: Topic.SubscriberFailed,
      subscribers: 1,
      published: 1,
      delivered: 1,
      failed: 0,
    });
  });

  test("a thrown string is reported with the string as its message", () => {
    const bus = newBus();
    const errors: string[] = [];
    bus.subscribe("b", () => {
      throw "plain string";
    });
    bus.subscribe(Topic.SubscriberFailed, (f) => errors.push(f.error));
    bus.publish("b", "x");
    assert.deepEqual(errors, ["plain string"]);
  });

  test("a subscriber throwing a value JSON cannot encode (BigInt, cycle) does not stop the others", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    for (const thrown of [1n, cyclic]) {
      const bus = newBus();
      const got: number[] = [];
      const failures: SubscriberFailed[] = [];
      bus.subscribe("a", () => {
        throw thrown;
      });
      bus.subscribe("a", (n) => got.push(n));
      bus.subscribe(Topic.SubscriberFailed, (f) => failures.push(f));
      assert.doesNotThrow(() => bus.publish("a", 1));
      assert.deepEqual(got, [1]);
      assert.equal(failures.length, 1);
      assert.equal(statsOf(bus, "a")?.failed, 1);
    }
  });

  test("a failing failure-handler does not recurse: it is counted and written to stderr", () => {
    const bus = newBus();
    let calls = 0;
    bus.subscribe("a", () => {
      throw new Error("first failure");
    });
    bus.subscribe(
      Topic.SubscriberFailed,
      () => {
        calls++;
        throw new Error("handler of failures failed");
      },
      "alerting",
    );
    const written = captureStderr(() => bus.publish("a", 1));
    assert.equal(calls, 1);
    assert.match(written, /subscriber alerting of bus\.subscriber-failed failed: handler of failures failed/);
    assert.equal(statsOf(bus, Topic.SubscriberFailed)?.failed, 1);
    assert.equal(statsOf(bus, "a")?.failed, 1);
  });

  test("re-entrant publish is breadth-first: every subscriber sees every topic's messages in order", () => {
    const bus = newBus();
    const log: string[] = [];
    bus.subscribe("a", (n) => {
      log.push(`A:${n}`);
      if (n === 1) {
        bus.publish("a", 2);
        bus.publish("b", "x");
        bus.publish("a", 3);
      }
    });
    bus.subscribe("a", (n) => log.push(`B:${n}`));
    bus.subscribe("b", (s) => {
      log.push(`C:${s}`);
      bus.publish("a", 4);
    });
    bus.publish("a", 1);
    // A depth-first bus would give A:1, A:2, B:2, ..., B:1: B would see 2 before 1.
    assert.deepEqual(log, ["A:1", "B:1", "A:2", "B:2", "C:x", "A:3", "B:3", "A:4", "B:4"]);
    assert.deepEqual(statsOf(bus, "a"), {
      topic: "a",
      subscribers: 2,
      published: 4,
      delivered: 8,
      failed: 0,
    });
  });

  test("a long chain of re-entrant publishes keeps order and does not grow the stack", () => {
    const bus = newBus();
    const seen: number[] = [];
    bus.subscribe("a", (n) => {
      seen.push(n);
      if (n < 50_000) bus.publish("a", n + 1);
    });
    bus.publish("a", 1);
    assert.equal(seen.length, 50_000);
    assert.ok(seen.every((n, i) => n === i + 1));
  });

  test("unsubscribing during delivery: the message in flight still reaches the subscriber, later ones do not", () => {
    const bus = newBus();
    const log: string[] = [];
    let unsubscribeB: () => void = () => {};
    bus.subscribe("a", (n) => {
      log.push(`A:${n}`);
      if (n === 1) {
        unsubscribeB();
        bus.publish("a", 2);
      }
    });
    unsubscribeB = bus.subscribe("a", (n) => log.push(`B:${n}`));
    bus.publish("a", 1);
    bus.publish("a", 3);
    assert.deepEqual(log, ["A:1", "B:1", "A:2", "A:3"]);
    assert.equal(bus.subscriberCount("a"), 1);
  });

  test("a subscriber may unsubscribe itself while handling a message", () => {
    const bus = newBus();
    const log: string[] = [];
    const off = bus.subscribe("a", (n) => {
      log.push(`once:${n}`);
      off();
    });
    bus.subscribe("a", (n) => log.push(`always:${n}`));
    bus.publish("a", 1);
    bus.publish("a", 2);
    assert.deepEqual(log, ["once:1", "always:1", "always:2"]);
  });

  test("subscribing during delivery: the new subscriber gets the next messages, not the one in flight", () => {
    const bus = newBus();
    const log: string[] = [];
    bus.subscribe("a", (n) => {
      log.push(`A:${n}`);
      if (n === 1) {
        bus.subscribe("a", (m) => log.push(`late:${m}`));
        bus.publish("a", 2);
      }
    });
    bus.publish("a", 1);
    assert.deepEqual(log, ["A:1", "A:2", "late:2"]);
  });

  test("unsubscribe removes only its own subscription and is idempotent", () => {
    const bus = newBus();
    const got: string[] = [];
    const handler = (n: number) => got.push(String(n));
    const off1 = bus.subscribe("a", handler);
    bus.subscribe("a", handler);
    off1();
    off1();
    assert.equal(bus.subscriberCount("a"), 1);
    bus.publish("a", 5);
    assert.deepEqual(got, ["5"]);
  });

  test("per-topic counters: published, delivered, failed and subscribers", () => {
    const bus = newBus();
    bus.subscribe("a", () => {});
    bus.subscribe("a", (n) => {
      if (n % 2 === 0) throw new Error("even");
    });
    bus.subscribe("b", () => {});
    for (let n = 1; n <= 10; n++) bus.publish("a", n);
    bus.publish("b", "one");
    const byTopic = Object.fromEntries(bus.stats().map((s) => [s.topic, s]));
    assert.deepEqual(byTopic["a"], { topic: "a", subscribers: 2, published: 10, delivered: 15, failed: 5 });
    assert.deepEqual(byTopic["b"], { topic: "b", subscribers: 1, published: 1, delivered: 1, failed: 0 });
    // Five failure reports were published even though nobody subscribes to them.
    assert.deepEqual(byTopic[Topic.SubscriberFailed], {
      topic: Topic.SubscriberFailed,
      subscribers: 0,
      published: 5,
      delivered: 0,
      failed: 0,
    });
    assert.equal(bus.subscriberCount("b"), 1);
    assert.equal(bus.subscriberCount(Topic.SubscriberFailed), 0);
  });

  test("works with the real topic map", () => {
    const bus = new MessageBus();
    const seen: string[] = [];
    bus.subscribe(Topic.SubscriberFailed, (f) => seen.push(f.topic));
    bus.subscribe(Topic.Signal, () => {
      throw new Error("x");
    });
    bus.publish(Topic.Signal, {
      kind: "Signal",
      strategyId: "s" as never,
      instrumentId: "BTCUSDT" as never,
      action: "HOLD",
      reason: "test",
      ts: 0 as never,
    });
    assert.deepEqual(seen, [Topic.Signal]);
  });
});
