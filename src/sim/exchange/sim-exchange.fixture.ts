import { readFileSync } from "node:fs";
import { SimExchange, type SimExchangeOptions } from "./sim-exchange.ts";
import type { SimBookUpdate, SimSymbolInfo, SimUserEvent } from "./sim-exchange-api.ts";

/**
 * Test support for the exchange core: the real symbols of data/market/exchange-info.json, a settable
 * clock, and recorders for user events and book updates. Not used by production code.
 */

const INFO_URL = new URL("../../../data/market/exchange-info.json", import.meta.url);

/** Returns the real exchangeInfo symbols (BTCBUSD, BTCUSDT, LTCUSDT), freshly parsed. */
export function realSymbols(): SimSymbolInfo[] {
  return (JSON.parse(readFileSync(INFO_URL, "utf8")) as { symbols: SimSymbolInfo[] }).symbols;
}

/** Returns a real symbol by name. */
export function realSymbol(name: string): SimSymbolInfo {
  const s = realSymbols().find((x) => x.symbol === name);
  if (s === undefined) throw new Error(`no ${name} in exchange-info.json`);
  return s;
}

/**
 * Returns BTCUSDT with every spot order type enabled (the real listing lacks STOP_LOSS and TAKE_PROFIT)
 * and, optionally, extra filters appended: the only way to exercise those paths with real filter values.
 */
export function btcusdtAllTypes(extraFilters: Array<Record<string, unknown>> = []): SimSymbolInfo {
  const s = realSymbol("BTCUSDT");
  return {
    ...s,
    orderTypes: [
      "LIMIT",
      "LIMIT_MAKER",
      "MARKET",
      "STOP_LOSS",
      "STOP_LOSS_LIMIT",
      "TAKE_PROFIT",
      "TAKE_PROFIT_LIMIT",
    ],
    filters: [...s.filters, ...extraFilters],
  };
}

/** An exchange with a settable clock and everything it emits recorded. */
export interface Harness {
  readonly ex: SimExchange;
  readonly clock: { now: number };
  readonly events: SimUserEvent[];
  readonly bookUpdates: SimBookUpdate[];
  /** The executionReport payloads of an account, in order. */
  reports(accountId?: string): Array<Record<string, unknown>>;
  /** The event types of an account in order: "NEW", "TRADE", ... for reports, "POS" for positions. */
  sequence(accountId?: string): string[];
}

/** Builds a harness on the given symbols (default: the real ones) with account "A" funded. */
export function makeHarness(
  options: Partial<SimExchangeOptions> = {},
  balances: Record<string, string> = { USDT: "100000", BTC: "10", BUSD: "100000", LTC: "1000" },
): Harness {
  const clock = { now: 1_700_000_000_000 };
  const ex = new SimExchange({ symbols: realSymbols(), ...options, now: () => clock.now });
  const events: SimUserEvent[] = [];
  const bookUpdates: SimBookUpdate[] = [];
  ex.onUserEvent((e) => events.push(e));
  ex.onBookUpdate((u) => bookUpdates.push(u));
  ex.addAccount("A", balances);
  const of = (accountId: string) => events.filter((e) => e.accountId === accountId).map((e) => e.payload);
  return {
    ex,
    clock,
    events,
    bookUpdates,
    reports: (accountId = "A") => of(accountId).filter((p) => p["e"] === "executionReport"),
    sequence: (accountId = "A") =>
      of(accountId).map((p) => (p["e"] === "executionReport" ? String(p["x"]) : "POS")),
  };
}

/** Returns the body of a successful result, failing the test with the rejection otherwise. */
export function body<T>(r: { ok: true; body: T } | { ok: false; code: number; msg: string }): T {
  if (!r.ok) throw new Error(`expected success, got ${r.code} ${r.msg}`);
  return r.body;
}

/** Returns an account's free and locked balance of an asset as strings. */
export function balanceOf(
  ex: SimExchange,
  accountId: string,
  asset: string,
): { free: string; locked: string } {
  const acc = body(ex.account(accountId, {}));
  const b = (acc["balances"] as Array<{ asset: string; free: string; locked: string }>).find(
    (x) => x.asset === asset,
  );
  return b === undefined ? { free: "0.00000000", locked: "0.00000000" } : { free: b.free, locked: b.locked };
}
