import { type Clock, Decimal, DesError, ErrorCode } from "../../../core/index.ts";
import type { Instrument } from "../../../model/index.ts";
import type { SlippageModel } from "./slippage.ts";

/** Which asset pays the fee: the asset the fill delivers (Binance spot) or always the quote asset. */
export type FeeAssetMode = "received" | "quote";

/** Settings of a PaperMatchingEngine; amounts are decimal strings or Decimals. */
export interface PaperMatchingConfig {
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  /** Starting free balance per asset ({ USDT: "10000" }). */
  readonly initialBalances?: Readonly<Record<string, string | Decimal>>;
  /** Fee rate for fills of resting orders (default 0.001). */
  readonly makerFeeRate?: string | Decimal;
  /** Fee rate for fills of orders that take (default 0.001). */
  readonly takerFeeRate?: string | Decimal;
  /** Default "quote" (what PaperVenue charged); "received" charges like Binance spot. */
  readonly feeAsset?: FeeAssetMode;
  /** Slippage against takers (default none); bps as a decimal string, ticks as a whole number. */
  readonly slippage?:
    | { readonly kind: "none" }
    | { readonly kind: "bps"; readonly bps: string | Decimal }
    | { readonly kind: "ticks"; readonly ticks: number };
  /** Time from submit until the order reaches the book, measured on the market data's clock (default 0). */
  readonly latencyMicros?: number;
  /**
   * The share of each trade's / bar's volume / touch size an order may fill, in (0, 1]. Undefined:
   * trades and bars fill orders completely; book tickers always limit takers to the touch size.
   */
  readonly participation?: string | Decimal;
  /** How many closed orders query() remembers (default 10,000); when full the oldest is forgotten. */
  readonly closedOrdersRetained?: number;
}

/** A validated PaperMatchingConfig. */
export interface ResolvedMatchingConfig {
  readonly makerFeeRate: Decimal;
  readonly takerFeeRate: Decimal;
  readonly feeAsset: FeeAssetMode;
  readonly slippage: SlippageModel;
  readonly latencyMicros: number;
  readonly participation: Decimal | undefined;
  readonly closedOrdersRetained: number;
  readonly initialBalances: ReadonlyMap<string, Decimal>;
}

/** Validates the settings; every bad value is an InvalidConfig error naming the key. */
export function resolveMatchingConfig(config: PaperMatchingConfig): ResolvedMatchingConfig {
  const makerFeeRate = rate("makerFeeRate", config.makerFeeRate ?? "0.001");
  const takerFeeRate = rate("takerFeeRate", config.takerFeeRate ?? "0.001");
  const feeAsset = config.feeAsset ?? "quote";
  if (feeAsset !== "quote" && feeAsset !== "received")
    bad("feeAsset", feeAsset, 'expected "quote" or "received"');
  const latencyMicros = config.latencyMicros ?? 0;
  if (!Number.isSafeInteger(latencyMicros) || latencyMicros < 0) {
    bad("latencyMicros", latencyMicros, "expected a whole number of microseconds >= 0");
  }
  let participation: Decimal | undefined;
  if (config.participation !== undefined) {
    participation = decimal("participation", config.participation);
    if (!participation.isPositive() || participation.gt(Decimal.ONE)) {
      bad("participation", participation, "expected a share in (0, 1]");
    }
  }
  const closedOrdersRetained = config.closedOrdersRetained ?? 10_000;
  if (!Number.isSafeInteger(closedOrdersRetained) || closedOrdersRetained < 0) {
    bad("closedOrdersRetained", closedOrdersRetained, "expected a whole number >= 0");
  }
  const initialBalances = new Map<string, Decimal>();
  for (const [asset, raw] of Object.entries(config.initialBalances ?? {})) {
    const amount = decimal(`initialBalances.${asset}`, raw);
    if (amount.isNegative()) bad(`initialBalances.${asset}`, amount, "must not be negative");
    initialBalances.set(asset, amount);
  }
  return {
    makerFeeRate,
    takerFeeRate,
    feeAsset,
    slippage: slippage(config.slippage),
    latencyMicros,
    participation,
    closedOrdersRetained,
    initialBalances,
  };
}

function slippage(raw: PaperMatchingConfig["slippage"]): SlippageModel {
  if (raw === undefined || raw.kind === "none") return { kind: "none" };
  if (raw.kind === "bps") {
    const bps = decimal("slippage.bps", raw.bps);
    if (bps.isNegative()) bad("slippage.bps", bps, "must not be negative");
    return { kind: "bps", bps };
  }
  if (raw.kind === "ticks") {
    if (!Number.isSafeInteger(raw.ticks) || raw.ticks < 0)
      bad("slippage.ticks", raw.ticks, "expected a whole number >= 0");
    return { kind: "ticks", ticks: raw.ticks };
  }
  return bad("slippage.kind", (raw as { kind: unknown }).kind, 'expected "none", "bps" or "ticks"');
}

function rate(key: string, raw: string | Decimal): Decimal {
  const value = decimal(key, raw);
  if (value.isNegative() || value.gte(Decimal.ONE)) bad(key, value, "expected a rate in [0, 1)");
  return value;
}

function decimal(key: string, raw: string | Decimal): Decimal {
  try {
    return Decimal.from(raw);
  } catch (err) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `paper matching ${key}: expected a decimal string, got ${JSON.stringify(String(raw))}`,
      { key, value: String(raw) },
      { cause: err },
    );
  }
}

function bad(key: string, value: unknown, why: string): never {
  throw new DesError(ErrorCode.InvalidConfig, `paper matching ${key}: ${why}, got ${String(value)}`, {
    key,
    value: String(value),
  });
}
