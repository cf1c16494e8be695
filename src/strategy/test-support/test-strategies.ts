/**
 * Small strategies for the engine's tests and benchmark, importable by worker threads (which load
 * definitions by module URL). Not built-ins: deliberately simple and deterministic.
 */
import { z } from "zod";
import { Decimal, type InstrumentId, type UnixMicros } from "../../core/index.ts";
import type { Bar, BarInterval } from "../../model/index.ts";
import type { Strategy, StrategyContext, StrategyDefinition } from "../strategy.ts";

/** This module's URL, for registering its definitions with a workerModule. */
export const TEST_STRATEGIES_URL = import.meta.url;

const crossParams = z
  .object({
    fast: z.number().int().positive(),
    slow: z.number().int().positive(),
    quantity: z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal string such as "0.01"'),
    async: z.boolean().default(false),
    warmupBars: z.number().int().nonnegative().default(0),
  })
  .strict()
  .refine((p) => p.fast < p.slow, { message: "expected fast < slow", path: ["fast"] });
type CrossParams = z.infer<typeof crossParams>;

interface CrossState {
  closes: number[];
  side: "BUY" | "SELL" | undefined;
  bars: number;
}

/** Moving-average cross on closes: BUY when the fast mean crosses above the slow one, SELL below. */
class CrossStrategy implements Strategy<CrossParams> {
  #p: CrossParams;
  #qty: Decimal;
  #state: CrossState = { closes: [], side: undefined, bars: 0 };

  constructor(p: CrossParams) {
    this.#p = p;
    this.#qty = Decimal.from(p.quantity);
  }

  onBar(bar: Bar, ctx: StrategyContext): void | Promise<void> {
    if (!this.#p.async) {
      this.#handle(bar, ctx);
      return;
    }
    return Promise.resolve().then(() => this.#handle(bar, ctx));
  }

  #handle(bar: Bar, ctx: StrategyContext): void {
    const s = this.#state;
    s.bars++;
    s.closes.push(bar.close.toNumber());
    if (s.closes.length > this.#p.slow) s.closes.shift();
    ctx.markStateChanged();
    if (s.closes.length < this.#p.slow) return;
    const fast = mean(s.closes.slice(-this.#p.fast));
    const slow = mean(s.closes);
    const want = fast > slow ? "BUY" : fast < slow ? "SELL" : s.side;
    if (want !== undefined && want !== s.side) {
      s.side = want;
      ctx.signal({
        instrumentId: bar.instrumentId,
        action: want,
        quantity: this.#qty,
        reason: `cross ${want} at bar ${s.bars} close ${bar.close}`,
      });
    }
  }

  getState(): CrossState {
    return { closes: [...this.#state.closes], side: this.#state.side, bars: this.#state.bars };
  }

  setState(state: unknown): void {
    const s = state as CrossState;
    this.#state = { closes: [...s.closes], side: s.side, bars: s.bars };
  }

  updateParams(p: CrossParams): void {
    this.#p = p;
    this.#qty = Decimal.from(p.quantity);
  }
}

function mean(xs: readonly number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** "test_cross": a deterministic moving-average cross with state, params and an async variant. */
export const crossDefinition: StrategyDefinition<CrossParams> = {
  name: "test_cross",
  description: "moving-average cross for tests",
  params: crossParams as unknown as z.ZodType<CrossParams>,
  subscriptions: (p: CrossParams, interval: BarInterval) => ({ bars: [interval], warmupBars: p.warmupBars }),
  create: (p: CrossParams) => new CrossStrategy(p),
};

const countParams = z
  .object({
    loopAtClose: z.string().optional(),
    throwAtClose: z.string().optional(),
  })
  .strict();
type CountParams = z.infer<typeof countParams>;

/**
 * "test_count": signals HOLD "bar <n>" for every bar. On a bar closing at `loopAtClose` it spins
 * forever (for the worker time-budget test); at `throwAtClose` it throws. Its state is the count,
 * so a restore is visible in the next reason.
 */
export const countDefinition: StrategyDefinition<CountParams> = {
  name: "test_count",
  description: "counts bars; optionally hangs in an infinite loop or throws",
  params: countParams as unknown as z.ZodType<CountParams>,
  subscriptions: (_p: CountParams, interval: BarInterval) => ({ bars: [interval] }),
  create: (p: CountParams) => {
    let count = 0;
    return {
      onBar(bar: Bar, ctx: StrategyContext) {
        const close = bar.close.toString();
        if (close === p.throwAtClose) throw new Error(`refusing close ${close}`);
        if (close === p.loopAtClose) {
          ctx.markStateChanged();
          for (;;) {
            // Spins until the engine terminates the worker.
          }
        }
        count++;
        ctx.markStateChanged();
        ctx.signal({ instrumentId: bar.instrumentId, action: "HOLD", reason: `bar ${count}` });
      },
      getState: () => ({ count }),
      setState: (s: unknown) => {
        count = (s as { count: number }).count;
      },
    };
  },
};

/** Builds a closed bar with the given close; every other price equals the close. */
export function testBar(opts: {
  instrumentId?: string;
  interval?: BarInterval;
  index: number;
  close: string;
  closed?: boolean;
  receivedAt?: number;
}): Bar {
  const minute = 60_000_000;
  const base = Date.UTC(2024, 0, 1) * 1000;
  const openTime = base + opts.index * minute;
  const px = Decimal.from(opts.close);
  return {
    kind: "bar",
    instrumentId: (opts.instrumentId ?? "BTCUSDT") as InstrumentId,
    interval: opts.interval ?? "1m",
    openTime: openTime as UnixMicros,
    closeTime: (openTime + minute - 1) as UnixMicros,
    open: px,
    high: px,
    low: px,
    close: px,
    volume: Decimal.ONE,
    quoteVolume: px,
    tradeCount: 1,
    closed: opts.closed ?? true,
    receivedAt: (opts.receivedAt ?? openTime + minute) as UnixMicros,
  };
}

/** Returns a deterministic zig-zag price path (a seeded random walk), as decimal strings. */
export function pricePath(n: number, seed = 42): string[] {
  let x = seed >>> 0 || 1;
  let price = 30_000;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    price += ((x % 2001) - 1000) / 10;
    out.push(price.toFixed(2));
  }
  return out;
}
