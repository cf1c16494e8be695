import type { SimUserEvent } from "../exchange/sim-exchange-api.ts";

/** Where a subscription's events go: one WebSocket API connection. */
export interface UserEventSink {
  /** Sends {"subscriptionId": id, "event": <payloadJson>} (payload already serialised once). */
  sendEvent(subscriptionId: number, payloadJson: string): void;
}

/** One active user data stream subscription. */
export interface UserSubscription {
  readonly subscriptionId: number;
  readonly accountId: string;
  readonly sink: UserEventSink;
  /** Created by userDataStream.subscribe on a logged-on session (ended by session.logout). */
  readonly viaLogon: boolean;
}

/** Routes the exchange's user events to the subscriptions of their account; each payload is serialised once. */
export class UserEventRouter {
  readonly #byAccount = new Map<string, Set<UserSubscription>>();

  /** Adds a subscription. */
  add(sub: UserSubscription): void {
    let set = this.#byAccount.get(sub.accountId);
    if (set === undefined) {
      set = new Set();
      this.#byAccount.set(sub.accountId, set);
    }
    set.add(sub);
  }

  /** Removes a subscription (no-op when absent). */
  remove(sub: UserSubscription): void {
    const set = this.#byAccount.get(sub.accountId);
    if (set === undefined) return;
    set.delete(sub);
    if (set.size === 0) this.#byAccount.delete(sub.accountId);
  }

  /** Delivers one exchange event to every subscription of its account. */
  readonly dispatch = (event: SimUserEvent): void => {
    const set = this.#byAccount.get(event.accountId);
    if (set === undefined) return;
    const payloadJson = JSON.stringify(event.payload);
    for (const sub of set) sub.sink.sendEvent(sub.subscriptionId, payloadJson);
  };

  /** Number of active subscriptions. */
  size(): number {
    let n = 0;
    for (const set of this.#byAccount.values()) n += set.size;
    return n;
  }
}
