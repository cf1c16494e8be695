import { MessageBus, Topic } from "../../bus/index.ts";
import { TestClock } from "../../core/index.ts";
import type {
  CancelOrder,
  Signal,
  StrategyError,
  StrategyStatusChanged,
  SubmitOrder,
} from "../../model/index.ts";
import { StrategyEngine, type StrategyEngineOptions } from "../strategy-engine.ts";
import { StrategyRegistry } from "../strategy-registry.ts";

/** An engine on a TestClock with everything it publishes collected, for tests. */
export interface EngineHarness {
  readonly bus: MessageBus;
  readonly clock: TestClock;
  readonly registry: StrategyRegistry;
  readonly engine: StrategyEngine;
  readonly signals: Signal[];
  readonly orders: SubmitOrder[];
  readonly cancels: CancelOrder[];
  readonly errors: StrategyError[];
  readonly statuses: StrategyStatusChanged[];
}

/** Builds an EngineHarness; `setup` registers definitions before the engine exists. */
export function engineHarness(
  setup: (registry: StrategyRegistry) => void,
  options: Partial<StrategyEngineOptions> = {},
): EngineHarness {
  const bus = options.bus ?? new MessageBus();
  const clock = (options.clock as TestClock | undefined) ?? new TestClock();
  const registry = options.registry ?? new StrategyRegistry();
  setup(registry);
  const h: EngineHarness = {
    bus,
    clock,
    registry,
    engine: new StrategyEngine({ stateSaveIntervalMs: 0, ...options, bus, clock, registry }),
    signals: [],
    orders: [],
    cancels: [],
    errors: [],
    statuses: [],
  };
  bus.subscribe(Topic.Signal, (m) => h.signals.push(m), "test");
  bus.subscribe(Topic.SubmitOrder, (m) => h.orders.push(m), "test");
  bus.subscribe(Topic.CancelOrder, (m) => h.cancels.push(m), "test");
  bus.subscribe(Topic.StrategyError, (m) => h.errors.push(m), "test");
  bus.subscribe(Topic.StrategyStatus, (m) => h.statuses.push(m), "test");
  return h;
}

/**
 * Resolves once the condition holds, checking after each turn of the event loop; rejects after
 * `timeoutMs` of wall time (a bound, not a sleep: it returns as soon as the condition is met).
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Lets every queued promise callback run (a few event-loop turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
