/**
 * DES settings for end-to-end runs against the Binance simulator: a temporary directory with the
 * strategies file and the database, and the custom endpoints with Binance's documented HMAC key.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Decimal } from "../../src/core/index.ts";
import type { VenueBalance } from "../../src/model/index.ts";
import { DOCS_HMAC_API_KEY, DOCS_HMAC_SECRET_KEY } from "../../src/sim/index.ts";

/** Two strategies that trade BTCBUSD within a few replayed 1m bars. */
export const FAST_BTCBUSD_STRATEGIES: readonly unknown[] = [
  {
    id: "ma-fast",
    strategy: "ma_cross",
    instrument: "BTCBUSD",
    interval: "1m",
    params: { fast: 2, slow: 3, size: "0.01" },
  },
  {
    id: "rsi-fast",
    strategy: "rsi",
    instrument: "BTCBUSD",
    interval: "1m",
    params: { period: 3, oversold: 40, overbought: 60, size: "0.002" },
  },
];

/** Returns DES's settings for trading the strategies on the simulator (a fresh directory each call). */
export function desOnSimEnv(
  sim: { readonly restUrl: string; readonly streamUrl: string; readonly wsApiUrl: string },
  strategies: readonly unknown[] = FAST_BTCBUSD_STRATEGIES,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "des-on-sim-"));
  const strategiesFile = join(dir, "strategies.json");
  writeFileSync(strategiesFile, JSON.stringify(strategies));
  return {
    DES_PORT: "0",
    DES_DB_PATH: join(dir, "des.sqlite"),
    DES_STRATEGIES_FILE: strategiesFile,
    DES_VENUE: "binance",
    BINANCE_ENV: "custom",
    BINANCE_REST_URL: sim.restUrl,
    BINANCE_STREAM_URL: sim.streamUrl,
    BINANCE_WS_API_URL: sim.wsApiUrl,
    BINANCE_API_KEY: DOCS_HMAC_API_KEY,
    BINANCE_SECRET_KEY: DOCS_HMAC_SECRET_KEY,
    ...extra,
  };
}

/** Returns each asset's total (free + locked) of a venue's balances. */
export function balanceTotals(balances: readonly VenueBalance[]): Record<string, Decimal> {
  const totals: Record<string, Decimal> = {};
  for (const b of balances) totals[b.asset] = b.free.add(b.locked);
  return totals;
}
