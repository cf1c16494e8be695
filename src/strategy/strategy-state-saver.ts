import { type Clock, type TimerId, toError } from "../core/index.ts";
import type { StrategyInstance } from "./strategy-instance.ts";
import type { StrategyStateStore } from "./strategy-ports.ts";

/** What the saver needs. */
export interface StrategyStateSaverOptions {
  readonly store: StrategyStateStore;
  readonly clock: Clock;
  /** How long after the first change a flush snapshots the changed instances. */
  readonly delayMs: number;
  /** Called when getState throws (a strategy failure: the engine pauses the instance). */
  readonly onGetStateFailed: (inst: StrategyInstance, thrown: unknown) => void;
  readonly onStoreError: ((strategyId: StrategyInstance["id"], error: Error) => void) | undefined;
}

/**
 * Saves strategy state snapshots off the event path. An instance that called markStateChanged is
 * listed; one flush, `delayMs` after the first change, calls getState on every listed instance that
 * is between hooks and has no save in flight, and hands the snapshot to the store. So getState
 * never runs while events are being routed, runs at most about once per delay per strategy, at
 * most one save per strategy is in flight (the others wait on the list, coalesced), and the latest
 * state wins. A store failure is counted and reported; the strategy keeps running.
 */
export class StrategyStateSaver {
  readonly #store: StrategyStateStore;
  readonly #clock: Clock;
  readonly #delayMs: number;
  readonly #onGetStateFailed: (inst: StrategyInstance, thrown: unknown) => void;
  readonly #onStoreError: ((strategyId: StrategyInstance["id"], error: Error) => void) | undefined;
  #dirty: StrategyInstance[] = [];
  #timer: TimerId | undefined;
  #closed = false;

  constructor(options: StrategyStateSaverOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#delayMs = options.delayMs;
    this.#onGetStateFailed = options.onGetStateFailed;
    this.#onStoreError = options.onStoreError;
  }

  /** Lists an instance whose state changed and makes sure a flush is coming. */
  markDirty(inst: StrategyInstance): void {
    if (!inst.inDirtyList) {
      inst.inDirtyList = true;
      this.#dirty.push(inst);
    }
    if (this.#timer === undefined && !this.#closed) {
      this.#timer = this.#clock.setTimeout(() => this.flush(), this.#delayMs);
    }
  }

  /** Snapshots every listed instance that can be snapshotted now; the others stay listed. */
  flush(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    const list = this.#dirty;
    this.#dirty = [];
    for (const inst of list) {
      inst.inDirtyList = false;
      if (!inst.dirty || !mayPersist(inst)) continue;
      if (inst.busy || inst.saving) this.markDirty(inst);
      else this.snapshot(inst);
    }
  }

  /** Marks every running instance that handled events since its last snapshot, and flushes. */
  saveAll(instances: Iterable<StrategyInstance>): void {
    for (const inst of instances) {
      if (inst.phase !== "RUNNING" || inst.strategy?.getState === undefined) continue;
      if (inst.processed === inst.processedAtSnapshot) continue;
      inst.dirty = true;
      this.markDirty(inst);
    }
    this.flush();
  }

  /** Takes a snapshot now (the caller makes sure no hook runs and no save is in flight) and saves it. */
  snapshot(inst: StrategyInstance): void {
    inst.dirty = false;
    const getState = inst.strategy?.getState;
    if (getState === undefined) return;
    let state: unknown;
    try {
      state = getState.call(inst.strategy);
    } catch (thrown) {
      this.#onGetStateFailed(inst, thrown);
      return;
    }
    inst.processedAtSnapshot = inst.processed;
    inst.lastState = state;
    inst.saving = true;
    let saved: Promise<void>;
    try {
      saved = this.#store.save(inst.id, state);
    } catch (thrown) {
      saved = Promise.reject(thrown);
    }
    saved.then(
      () => this.#written(inst),
      (thrown: unknown) => {
        inst.saveErrors++;
        this.#onStoreError?.(inst.id, toError(thrown));
        this.#written(inst);
      },
    );
  }

  /** Resolves when the instance has no save in flight. */
  idle(inst: StrategyInstance): Promise<void> {
    if (!inst.saving) return Promise.resolve();
    return new Promise((resolve) => inst.saveWaiters.push(resolve));
  }

  /** Stops scheduling flushes (saves in flight still complete). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #written(inst: StrategyInstance): void {
    inst.saving = false;
    if (inst.dirty && mayPersist(inst)) this.markDirty(inst);
    const waiters = inst.saveWaiters;
    inst.saveWaiters = [];
    for (const w of waiters) w();
  }
}

/** A strategy paused by a failure may hold half-updated state: its last good snapshot stays. */
function mayPersist(inst: StrategyInstance): boolean {
  if (inst.pausedByFailure) return false;
  return inst.phase === "RUNNING" || inst.phase === "PAUSED" || inst.phase === "STOPPING";
}
