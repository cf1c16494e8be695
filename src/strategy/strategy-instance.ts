import type { ClientOrderId, InstrumentId, StrategyId } from "../core/index.ts";
import type { Bar, OrderFilled, OrderType, QuoteTick, StrategyStatus, TradeTick } from "../model/index.ts";
import { BoundedQueue } from "./bounded-queue.ts";
import type { Strategy, StrategyContext, StrategyDefinition, StrategySubscriptions } from "./strategy.ts";
import type { StrategyInstanceConfig } from "./strategy-instance-config.ts";
import type { WorkerStrategyProxy } from "./worker/worker-strategy-proxy.ts";

/** The lifecycle step that runs onStart once restore and warm-up are done. */
export interface StartItem {
  readonly kind: "start";
}

/** Everything that can wait in a strategy's mailbox. */
export type MailboxItem = Bar | TradeTick | QuoteTick | OrderFilled | StartItem;

/**
 * Where an instance is in its lifecycle. STARTING (restoring state, booting its worker: live events
 * are buffered) and STOPPING (waiting for the last handler, onStop, the last save) are transitions;
 * the published StrategyStatus changes when they end.
 */
export type InstancePhase = StrategyStatus | "STARTING" | "STOPPING";

/**
 * Most open non-market orders whose instrument an instance remembers for cancelOrder (oldest
 * forgotten first; a forgotten one is cancelled on the instance's configured instrument).
 */
export const MAX_TRACKED_ORDERS = 1_000;

/**
 * One configured strategy instance and all the engine's bookkeeping for it. A plain record the
 * StrategyEngine drives: mailbox, in-flight flag, context generation, counters.
 */
export class StrategyInstance {
  readonly id: StrategyId;
  readonly config: StrategyInstanceConfig;
  readonly definition: StrategyDefinition<unknown>;
  readonly subscriptions: StrategySubscriptions;
  readonly budgetMs: number;
  readonly budgetUs: number;
  readonly mailbox: BoundedQueue<MailboxItem>;
  /** Set for worker-mode instances. */
  readonly proxy: WorkerStrategyProxy | undefined;

  strategy: Strategy<unknown> | undefined;
  params: unknown;
  rawParams: unknown;
  phase: InstancePhase = "CREATED";
  /** The last published status (phases in transition keep the previous one). */
  status: StrategyStatus = "CREATED";
  /** The context handed to hooks; replaced (with a new generation) when a hung hook is abandoned. */
  ctx!: StrategyContext;
  generation = 0;

  /** A hook of this instance is running (and holds a permit). */
  busy = false;
  /** The instance is waiting in the engine's ready queue for a permit. */
  queued = false;
  /** Warm-up bars still at the head of the mailbox. */
  warmupLeft = 0;
  /** The openTime of the last warm-up bar: live bars not after it are duplicates and skipped. */
  warmupUntil = Number.NEGATIVE_INFINITY;
  /** True while the hook being run handles a warm-up bar. */
  warming = false;
  /** The receive time of the market event being handled (undefined for fills and lifecycle hooks). */
  receivedAt: number | undefined;
  /** markStateChanged was called since the last snapshot. */
  dirty = false;
  panicking = false;
  /** Paused by a failure (not by the operator): its strategy object may be inconsistent. */
  pausedByFailure = false;
  pendingParams: { parsed: unknown; raw: unknown } | undefined;
  /** Orders this instance sent that are not known to be final, with their instrument. */
  readonly orderInstruments = new Map<ClientOrderId, InstrumentId>();
  /** Every instrument this instance ever sent an order for (panic flattens each). */
  readonly tradedInstruments = new Set<InstrumentId>();

  /** The last snapshot handed to the store (restored into a fresh worker on resume). */
  lastState: unknown;
  saving = false;
  /** Waiting in the engine's list of instances to snapshot at the next flush. */
  inDirtyList = false;
  processedAtSnapshot = 0;
  saveWaiters: Array<() => void> = [];
  idleWaiters: Array<() => void> = [];
  /** performance.now() when the async hook in flight started (0: latency not measured). */
  p0 = 0;
  /** When the async hook in flight overruns its budget, on the engine clock. */
  deadlineUs = 0;
  /** Settle callbacks of the current generation (made once per generation, not per call). */
  onResolved: () => void = () => {};
  onRejected: (reason: unknown) => void = () => {};
  starting: Promise<void> | undefined;
  stopping: Promise<void> | undefined;

  processed = 0;
  errors = 0;
  dropped = 0;
  skipped = 0;
  signals = 0;
  orders = 0;
  warmupIgnored = 0;
  lateActions = 0;
  signalsWithoutOrder = 0;
  saveErrors = 0;
  lastError: string | undefined;

  constructor(init: {
    config: StrategyInstanceConfig;
    definition: StrategyDefinition<unknown>;
    subscriptions: StrategySubscriptions;
    params: unknown;
    strategy: Strategy<unknown> | undefined;
    proxy: WorkerStrategyProxy | undefined;
    budgetMs: number;
    mailboxCapacity: number;
  }) {
    this.id = init.config.id;
    this.config = init.config;
    this.definition = init.definition;
    this.subscriptions = init.subscriptions;
    this.params = init.params;
    this.rawParams = init.config.params;
    this.strategy = init.strategy;
    this.proxy = init.proxy;
    this.budgetMs = init.budgetMs;
    this.budgetUs = init.budgetMs * 1000;
    this.mailbox = new BoundedQueue<MailboxItem>(init.mailboxCapacity);
  }

  /**
   * Remembers an order's instrument so a later cancel by client order id can name it. Market
   * orders are not remembered: they fill or die at once, and most signals become one.
   */
  trackOrder(id: ClientOrderId, instrumentId: InstrumentId, type: OrderType): void {
    this.tradedInstruments.add(instrumentId);
    if (type === "MARKET") return;
    if (this.orderInstruments.size >= MAX_TRACKED_ORDERS) {
      const oldest = this.orderInstruments.keys().next().value;
      if (oldest !== undefined) this.orderInstruments.delete(oldest);
    }
    this.orderInstruments.set(id, instrumentId);
  }
}
