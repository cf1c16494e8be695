import { toError } from "../core/index.ts";
import { Topic, type TopicMessages } from "./topics.ts";

/** A handler for messages of one topic. */
export type Handler<T> = (message: T) => void;

/** Undoes a subscription. */
export type Unsubscribe = () => void;

interface Subscription<T> {
  readonly name: string;
  readonly handler: Handler<T>;
}

interface TopicState {
  subscribers: Subscription<never>[];
  published: number;
  delivered: number;
  failed: number;
}

/** Per-topic counters. */
export interface TopicStats {
  readonly topic: string;
  readonly subscribers: number;
  readonly published: number;
  readonly delivered: number;
  readonly failed: number;
}

/**
 * The in-process, typed message bus.
 *
 * Semantics (see docs/ARCHITECTURE.md):
 * - Delivery is synchronous: publish returns after every subscriber has run.
 * - In order: each subscriber sees a topic's messages in publish order. A message published from inside
 *   a handler is queued and delivered after the current message has reached every subscriber
 *   (breadth-first), so no subscriber ever sees a later message before an earlier one.
 * - Isolation: a subscriber that throws is reported on `bus.subscriber-failed` and counted; the other
 *   subscribers still receive the message.
 * - Nothing is dropped: there is no buffer that can fill. A slow subscriber slows the publisher
 *   (back-pressure by construction); work that must not block belongs behind a bounded queue owned
 *   by that subscriber, which documents its own policy.
 */
export class MessageBus<M extends object = TopicMessages> {
  readonly #topics = new Map<string, TopicState>();
  readonly #pending: Array<{ topic: string; message: unknown }> = [];
  #delivering = false;

  /** Subscribes a named handler to a topic; returns the function that unsubscribes it. */
  subscribe<K extends keyof M & string>(topic: K, handler: Handler<M[K]>, name = "anonymous"): Unsubscribe {
    const state = this.#state(topic);
    const sub: Subscription<M[K]> = { name, handler };
    // Copy-on-write: a delivery in progress keeps iterating over the array it started with.
    state.subscribers = [...state.subscribers, sub as unknown as Subscription<never>];
    return () => {
      state.subscribers = state.subscribers.filter((s) => s !== (sub as unknown as Subscription<never>));
    };
  }

  /** Publishes a message to every subscriber of the topic, in order. */
  publish<K extends keyof M & string>(topic: K, message: M[K]): void {
    const state = this.#state(topic);
    state.published++;
    if (this.#delivering) {
      this.#pending.push({ topic, message });
      return;
    }
    this.#delivering = true;
    try {
      this.#deliver(topic, state, message);
      while (this.#pending.length > 0) {
        const next = this.#pending.shift()!;
        this.#deliver(next.topic, this.#state(next.topic), next.message);
      }
    } finally {
      this.#delivering = false;
    }
  }

  /** Returns the number of subscribers of a topic. */
  subscriberCount(topic: keyof M & string): number {
    return this.#topics.get(topic)?.subscribers.length ?? 0;
  }

  /** Returns counters for every topic that has been used. */
  stats(): TopicStats[] {
    return [...this.#topics.entries()].map(([topic, s]) => ({
      topic,
      subscribers: s.subscribers.length,
      published: s.published,
      delivered: s.delivered,
      failed: s.failed,
    }));
  }

  #deliver(topic: string, state: TopicState, message: unknown): void {
    const subs = state.subscribers;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i]!;
      try {
        (sub.handler as Handler<unknown>)(message);
        state.delivered++;
      } catch (thrown) {
        state.failed++;
        this.#reportFailure(topic, sub.name, thrown);
      }
    }
  }

  #reportFailure(topic: string, subscriber: string, thrown: unknown): void {
    const err = toError(thrown);
    if (topic === Topic.SubscriberFailed) {
      // A failing failure-handler must not recurse; it is counted and written to stderr.
      process.stderr.write(`bus: subscriber ${subscriber} of ${topic} failed: ${err.message}\n`);
      return;
    }
    this.#pending.push({
      topic: Topic.SubscriberFailed,
      message: { kind: "SubscriberFailed", topic, subscriber, error: err.message, stack: err.stack },
    });
    this.#state(Topic.SubscriberFailed).published++;
  }

  #state(topic: string): TopicState {
    let s = this.#topics.get(topic);
    if (s === undefined) {
      s = { subscribers: [], published: 0, delivered: 0, failed: 0 };
      this.#topics.set(topic, s);
    }
    return s;
  }
}
