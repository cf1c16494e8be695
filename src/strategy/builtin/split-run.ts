import type { Bar } from "../../model/index.ts";
import type { StrategyDefinition } from "../strategy.ts";
import type { FakeStrategyContext } from "./fake-strategy-context.ts";

/**
 * Runs the definition over the bars in one context, restarting the strategy at `split`: the first
 * instance's getState goes through JSON into a new instance's setState, which runs the rest.
 * Returns the JSON state that crossed the restart.
 */
export function splitRun<P>(
  definition: StrategyDefinition<P>,
  rawParams: unknown,
  bars: readonly Bar[],
  split: number,
  ctx: FakeStrategyContext,
): string {
  const params = definition.params.parse(rawParams);
  const first = definition.create(params);
  first.onStart?.(ctx);
  ctx.run(first, bars.slice(0, split));
  const saved = JSON.stringify(first.getState?.());
  const second = definition.create(definition.params.parse(rawParams));
  second.setState?.(JSON.parse(saved));
  second.onStart?.(ctx);
  ctx.run(second, bars.slice(split), split);
  return saved;
}
