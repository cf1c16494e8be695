import { fileURLToPath } from "node:url";

/** The folder holding the bundled cryptofeed capture (data/sim/cryptofeed at the repository root). */
export const DEFAULT_CAPTURE_DIR: string = fileURLToPath(
  new URL("../../../data/sim/cryptofeed/", import.meta.url),
);

/**
 * Replays the real Binance WebSocket capture of cryptofeed (NKNUSDT, BLZETH, LRCBTC, RUNEEUR) on top
 * of its REST depth snapshots, then keeps the symbols alive with generated data.
 */
export interface SimCaptureSourceConfig {
  readonly kind: "capture";
  /** The WebSocket capture (default DEFAULT_CAPTURE_DIR/BINANCE.ws.1.0.txt). */
  readonly wsFile?: string | undefined;
  /** The REST depth snapshots (default DEFAULT_CAPTURE_DIR/BINANCE.http.0.0.txt). */
  readonly httpFile?: string | undefined;
  /** Replay speed: original spacing divided by this (default 1; SimMarketData's `speed` overrides). */
  readonly speed?: number | undefined;
  /** Seed of the generated data after the capture ends (default 7). */
  readonly seed?: number | undefined;
  /** Mean market-time ms between generated book steps per symbol (default 250). */
  readonly generatedStepMs?: number | undefined;
}

/**
 * Replays real 1m (or longer) bars of a market dataset folder (manifest.json + exchange-info.json,
 * data/market by default) as synthetic trades, a synthetic book and klines, with the real filters.
 */
export interface SimKlinesSourceConfig {
  readonly kind: "klines";
  /** Dataset folder (default data/market). */
  readonly dir?: string | undefined;
  /** Manifest file ids to replay (default every file; one file per symbol). */
  readonly ids?: readonly string[] | undefined;
  /** Replay speed (default 60: a 1m bar per second; SimMarketData's `speed` overrides). */
  readonly speed?: number | undefined;
  /** Bars already in the past when the replay starts, served by GET /api/v3/klines (default 120). */
  readonly historyBars?: number | undefined;
  /** Seed of the synthetic trades and book (default 42). */
  readonly seed?: number | undefined;
  /** Synthetic book levels per side (default 10, at most 20). */
  readonly bookLevels?: number | undefined;
}

/** One market data source of the simulator. */
export type SimDataSourceConfig = SimCaptureSourceConfig | SimKlinesSourceConfig;

/** Both bundled sources: the 1m bars (BTCBUSD, LTCUSDT, BTCUSDT) and the capture (4 symbols). */
export const DEFAULT_SIM_DATA_SOURCES: readonly SimDataSourceConfig[] = Object.freeze([
  { kind: "klines" },
  { kind: "capture" },
]);
