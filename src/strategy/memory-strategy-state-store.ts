import type { StrategyId } from "../core/index.ts";
import type { StrategyStateStore } from "./strategy-ports.ts";

/**
 * A StrategyStateStore in memory: the default when no persistence is wired (state then survives an
 * engine restart inside one process only), and the store the tests use. Snapshots are deep-copied
 * through JSON so a strategy cannot change a saved snapshot afterwards, and so a snapshot that is not
 * JSON-serialisable fails here as it would in a real store.
 */
export class MemoryStrategyStateStore implements StrategyStateStore {
  readonly #states = new Map<string, string>();
  /** How many saves completed. */
  saves = 0;

  load(strategyId: StrategyId): Promise<unknown | undefined> {
    const json = this.#states.get(strategyId);
    return Promise.resolve(json === undefined ? undefined : JSON.parse(json));
  }

  save(strategyId: StrategyId, state: unknown): Promise<void> {
    try {
      const json = JSON.stringify(state);
      if (json === undefined) this.#states.delete(strategyId);
      else this.#states.set(strategyId, json);
      this.saves++;
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Returns the saved snapshot synchronously (for tests and diagnostics). */
  peek(strategyId: StrategyId): unknown | undefined {
    const json = this.#states.get(strategyId);
    return json === undefined ? undefined : JSON.parse(json);
  }
}
