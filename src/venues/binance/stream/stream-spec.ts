import { DesError, ErrorCode, type InstrumentId, instrumentId } from "../../../core/index.ts";
import { BAR_INTERVALS, type BarInterval } from "../../../model/index.ts";

/** The market-data streams DES subscribes to. */
export type StreamKind = "trade" | "aggTrade" | "bookTicker" | "depth" | "kline" | "miniTicker";

/** One stream of one symbol, e.g. `{ kind: "kline", symbol: "BTCUSDT", interval: "1m" }`. */
export interface StreamSpec {
  readonly kind: StreamKind;
  /** The symbol as Binance writes it in payloads ("BTCUSDT"); stream names use it in lower case. */
  readonly symbol: string;
  /** Required for kline. */
  readonly interval?: BarInterval;
  /** Diff-depth update speed (default 1000). */
  readonly speedMs?: 100 | 1000;
}

/** A validated spec with its Binance stream name. */
export interface ResolvedStream {
  readonly name: string;
  readonly kind: StreamKind;
  readonly instrumentId: InstrumentId;
  readonly interval: BarInterval | undefined;
}

const KINDS: ReadonlySet<string> = new Set([
  "trade",
  "aggTrade",
  "bookTicker",
  "depth",
  "kline",
  "miniTicker",
]);
const INTERVALS: ReadonlySet<string> = new Set(BAR_INTERVALS);

function describe(spec: unknown): string {
  try {
    return JSON.stringify(spec) ?? String(spec);
  } catch {
    return "(unprintable)";
  }
}

function invalid(spec: unknown, what: string): DesError {
  return new DesError(ErrorCode.InvalidConfig, `invalid stream ${describe(spec)}: ${what}`, {
    spec: describe(spec),
  });
}

/**
 * Validates a stream spec and returns it with its stream name (section 1.2 of the reference:
 * symbols in lower case): `btcusdt@trade`, `btcusdt@aggTrade`, `btcusdt@bookTicker`,
 * `btcusdt@depth` or `btcusdt@depth@100ms`, `btcusdt@kline_1m`, `btcusdt@miniTicker`.
 */
export function resolveStream(spec: StreamSpec): ResolvedStream {
  if (typeof spec !== "object" || spec === null) throw invalid(spec, "expected an object");
  if (!KINDS.has(spec.kind)) throw invalid(spec, `kind must be one of ${[...KINDS].join(", ")}`);
  let id: InstrumentId;
  try {
    id = instrumentId(spec.symbol);
  } catch {
    throw invalid(spec, "symbol must be 2-20 of [A-Z0-9], as Binance writes it (BTCUSDT)");
  }
  const base = id.toLowerCase();
  switch (spec.kind) {
    case "kline": {
      if (spec.interval === undefined || !INTERVALS.has(spec.interval)) {
        throw invalid(spec, `kline needs an interval, one of ${BAR_INTERVALS.join(", ")}`);
      }
      return {
        name: `${base}@kline_${spec.interval}`,
        kind: "kline",
        instrumentId: id,
        interval: spec.interval,
      };
    }
    case "depth": {
      const speed = spec.speedMs ?? 1000;
      if (speed !== 100 && speed !== 1000) throw invalid(spec, "speedMs must be 100 or 1000");
      return {
        name: speed === 100 ? `${base}@depth@100ms` : `${base}@depth`,
        kind: "depth",
        instrumentId: id,
        interval: undefined,
      };
    }
    default:
      return { name: `${base}@${spec.kind}`, kind: spec.kind, instrumentId: id, interval: undefined };
  }
}
