import { Decimal, DesError, ErrorCode } from "../../core/index.ts";

/** Where protective orders live: emulated by DES on market data (default), or placed at the venue when it can. */
export type ProtectionMode = "emulated" | "native";

/** A level as a percentage of the entry price, or as an absolute price (exactly one of the two). */
export interface ProtectionLevelInput {
  readonly percent?: Decimal | string | undefined;
  readonly price?: Decimal | string | undefined;
}

/**
 * The protection of one strategy's position, as given to ProtectionManager.protect (the strategies
 * file's `protection` entry fits it). At least one of stopLoss, takeProfit and trailingStop.
 */
export interface ProtectionConfig {
  /** Exit when the price moves against the position: percent below (long) / above (short) the entry, or a price. */
  readonly stopLoss?: ProtectionLevelInput | undefined;
  /** Exit when the price moves in favour: percent above (long) / below (short) the entry, or a price. */
  readonly takeProfit?: ProtectionLevelInput | undefined;
  /** Exit when the price falls `percent` below the best price since entry (a short: rises above the lowest). */
  readonly trailingStop?: { readonly percent: Decimal | string } | undefined;
  readonly mode?: ProtectionMode | undefined;
}

/** A validated level. */
export type PlanLevel =
  | { readonly kind: "percent"; readonly value: Decimal }
  | { readonly kind: "price"; readonly value: Decimal };

/** A validated protection config. */
export interface ProtectionPlan {
  readonly stopLoss: PlanLevel | undefined;
  readonly takeProfit: PlanLevel | undefined;
  /** The trailing distance in percent (always emulated). */
  readonly trailingPercent: Decimal | undefined;
  readonly mode: ProtectionMode;
}

const HUNDRED = Decimal.from("100");
/** A take-profit further than this is surely a typo (a long at +1000 % is still allowed). */
const MAX_TAKE_PROFIT_PERCENT = Decimal.from("1000");
const CONFIG_KEYS = new Set(["stopLoss", "takeProfit", "trailingStop", "mode"]);

/**
 * Validates a protection config; a bad value throws DES_ERR_INVALID_CONFIG naming the key
 * (`protection.stopLoss.percent`), the value and what was expected, after `owner` when given.
 */
export function parseProtectionConfig(raw: unknown, owner?: string): ProtectionPlan {
  try {
    return parsePlan(raw, "protection");
  } catch (e) {
    if (owner === undefined || !(e instanceof DesError)) throw e;
    throw new DesError(e.code, `${owner}: ${e.message}`, { ...e.details, owner });
  }
}

function parsePlan(raw: unknown, where: string): ProtectionPlan {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw invalid(where, raw, "an object with stopLoss, takeProfit, trailingStop and/or mode");
  }
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!CONFIG_KEYS.has(key)) {
      throw invalid(`${where}.${key}`, input[key], "no such key: stopLoss, takeProfit, trailingStop or mode");
    }
  }
  const mode = input["mode"] ?? "emulated";
  if (mode !== "emulated" && mode !== "native")
    throw invalid(`${where}.mode`, mode, '"emulated" or "native"');
  const stopLoss = parseLevel(input["stopLoss"], `${where}.stopLoss`, HUNDRED, false);
  const takeProfit = parseLevel(input["takeProfit"], `${where}.takeProfit`, MAX_TAKE_PROFIT_PERCENT, true);
  let trailingPercent: Decimal | undefined;
  const trailing = input["trailingStop"];
  if (trailing !== undefined) {
    if (trailing === null || typeof trailing !== "object" || Array.isArray(trailing)) {
      throw invalid(`${where}.trailingStop`, trailing, 'an object { "percent": "1.5" }');
    }
    const keys = Object.keys(trailing);
    const extra = keys.find((k) => k !== "percent");
    if (extra !== undefined) {
      throw invalid(
        `${where}.trailingStop.${extra}`,
        (trailing as Record<string, unknown>)[extra],
        "only percent",
      );
    }
    trailingPercent = parsePercent(
      (trailing as Record<string, unknown>)["percent"],
      `${where}.trailingStop.percent`,
      HUNDRED,
      false,
    );
  }
  if (stopLoss === undefined && takeProfit === undefined && trailingPercent === undefined) {
    throw invalid(where, raw, "at least one of stopLoss, takeProfit, trailingStop");
  }
  return Object.freeze({ stopLoss, takeProfit, trailingPercent, mode });
}

function parseLevel(
  raw: unknown,
  key: string,
  maxPercent: Decimal,
  maxInclusive: boolean,
): PlanLevel | undefined {
  if (raw === undefined) return undefined;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw invalid(key, raw, 'an object { "percent": "2" } or { "price": "40000" }');
  }
  const input = raw as Record<string, unknown>;
  const extra = Object.keys(input).find((k) => k !== "percent" && k !== "price");
  if (extra !== undefined) throw invalid(`${key}.${extra}`, input[extra], "only percent or price");
  const hasPercent = input["percent"] !== undefined;
  const hasPrice = input["price"] !== undefined;
  if (hasPercent === hasPrice) throw invalid(key, raw, "exactly one of percent or price");
  if (hasPercent) {
    return {
      kind: "percent",
      value: parsePercent(input["percent"], `${key}.percent`, maxPercent, maxInclusive),
    };
  }
  const price = parseDecimal(input["price"], `${key}.price`);
  if (!price.isPositive()) throw invalid(`${key}.price`, input["price"], "a price greater than 0");
  return { kind: "price", value: price };
}

function parsePercent(raw: unknown, key: string, max: Decimal, maxInclusive: boolean): Decimal {
  const value = parseDecimal(raw, key);
  const tooBig = maxInclusive ? value.gt(max) : value.gte(max);
  if (!value.isPositive() || tooBig) {
    throw invalid(key, raw, `a percentage in (0, ${max}${maxInclusive ? "]" : ")"}`);
  }
  return value;
}

function parseDecimal(raw: unknown, key: string): Decimal {
  if (raw instanceof Decimal) return raw;
  if (typeof raw === "string") {
    try {
      return Decimal.from(raw);
    } catch {
      // Reported below with the key.
    }
  }
  throw invalid(key, raw, 'a decimal string such as "2.5"');
}

function invalid(key: string, value: unknown, expected: string): DesError {
  const shown = value instanceof Decimal ? `"${value}"` : safeJson(value);
  return new DesError(ErrorCode.InvalidConfig, `${key} = ${shown} is invalid: expected ${expected}`, {
    key,
    value: shown,
    expected,
  });
}

function safeJson(value: unknown): string {
  if (value === undefined) return "(missing)";
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}
