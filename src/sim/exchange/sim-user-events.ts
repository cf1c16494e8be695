import { buildAccountPosition } from "./build-account-position.ts";
import { buildExecutionReport, type ExecutionDetails } from "./build-execution-report.ts";
import type { SimAccount } from "./sim-account.ts";
import type { SimUserEvent } from "./sim-exchange-api.ts";
import type { SimOrder } from "./sim-order.ts";

/**
 * Produces the user data events of every account in the order the exchange acts: execution reports at
 * once, and one `outboundAccountPosition` per account for the assets an action touched when the
 * action ends (`flush`). Listeners run synchronously; one that throws is counted and skipped, so a
 * faulty subscriber cannot leave the exchange half way through an action.
 */
export class SimUserEvents {
  readonly #listeners = new Set<(event: SimUserEvent) => void>();
  readonly #touched = new Map<SimAccount, Set<string>>();
  readonly #precisionOf: (asset: string) => number;
  #nextExecutionId = 1;
  /** Listener calls that threw. */
  listenerErrors = 0;

  constructor(precisionOf: (asset: string) => number) {
    this.#precisionOf = precisionOf;
  }

  /** Adds a listener; returns the function that removes it. */
  listen(listener: (event: SimUserEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #emit(accountId: string, payload: Record<string, unknown>): void {
    if (this.#listeners.size === 0) return;
    const event: SimUserEvent = { accountId, payload };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        this.listenerErrors++;
      }
    }
  }

  /** Emits an executionReport for the order; the execution id `I` increases per report. */
  report(order: SimOrder, details: Omit<ExecutionDetails, "executionId">): void {
    const executionId = this.#nextExecutionId++;
    if (this.#listeners.size === 0) return;
    this.#emit(order.accountId, buildExecutionReport(order, { ...details, executionId }));
  }

  /** Notes that an asset of the account changed in the current action. */
  touch(account: SimAccount, asset: string): void {
    let set = this.#touched.get(account);
    if (set === undefined) {
      set = new Set();
      this.#touched.set(account, set);
    }
    set.add(asset);
  }

  /** Ends the current action: emits one outboundAccountPosition per account that changed. */
  flush(eventTime: number): void {
    if (this.#touched.size === 0) return;
    if (this.#listeners.size === 0) {
      this.#touched.clear();
      return;
    }
    for (const [account, assets] of this.#touched) {
      this.#emit(account.id, buildAccountPosition(account, assets, eventTime, this.#precisionOf));
    }
    this.#touched.clear();
  }
}
