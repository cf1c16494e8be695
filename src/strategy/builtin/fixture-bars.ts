import { existsSync, readFileSync } from "node:fs";
import { Decimal, instrumentId, microsFromMs } from "../../core/index.ts";
import type { Bar, Instrument } from "../../model/index.ts";

const FILE = "BTCUSDT-30m-klines-2019-04-11_2019-04-21.json";
const CANDIDATES = [
  new URL(`../../../test/fixtures/market/${FILE}`, import.meta.url),
  new URL(`../../../test/fixtures/market/python-binance/${FILE}`, import.meta.url),
  new URL(`file:///work/shared/data/python-binance/${FILE}`),
];

/** BTCUSDT with its 2019 spot filters: prices in cents, quantities in millionths, 10 USDT minimum. */
export const BTCUSDT: Instrument = {
  id: instrumentId("BTCUSDT"),
  baseAsset: "BTC",
  quoteAsset: "USDT",
  tickSize: Decimal.from("0.01"),
  minPrice: Decimal.from("0.01"),
  maxPrice: Decimal.from("1000000"),
  stepSize: Decimal.from("0.000001"),
  minQty: Decimal.from("0.000001"),
  maxQty: Decimal.from("9000"),
  minNotional: Decimal.from("10"),
  maxNotional: undefined,
  status: "TRADING",
};

type KlineRow = [
  number,
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  number,
  string,
  string,
  string,
];

/**
 * Returns the 500 closed BTCUSDT 30m bars of python-binance's kline fixture (a real Binance
 * GET /api/v3/klines response, 2019-04-11..21), parsed here from the raw rows.
 */
export function fixtureBars(): Bar[] {
  const url = CANDIDATES.find((u) => existsSync(u));
  if (url === undefined)
    throw new Error(`kline fixture ${FILE} not found in test/fixtures/market or /work/shared`);
  const rows = JSON.parse(readFileSync(url, "utf8")) as KlineRow[];
  return rows.map((r) => ({
    kind: "bar",
    instrumentId: BTCUSDT.id,
    interval: "30m",
    openTime: microsFromMs(r[0]),
    closeTime: microsFromMs(r[6]),
    open: Decimal.from(r[1]),
    high: Decimal.from(r[2]),
    low: Decimal.from(r[3]),
    close: Decimal.from(r[4]),
    volume: Decimal.from(r[5]),
    quoteVolume: Decimal.from(r[7]),
    tradeCount: r[8],
    closed: true,
    receivedAt: microsFromMs(r[6]),
  }));
}

const START_MS = Date.UTC(2024, 0, 1);
const BAR_MS = 30 * 60_000;

/** Returns closed 30m BTCUSDT bars with the given closes; each bar's range is [min(open, close), max] widened by `wick`. */
export function barsFromCloses(closes: readonly string[], wick = "0"): Bar[] {
  const w = Decimal.from(wick);
  return closes.map((c, i) => {
    const close = Decimal.from(c);
    const open = Decimal.from(closes[i === 0 ? 0 : i - 1]!);
    const openMs = START_MS + i * BAR_MS;
    return {
      kind: "bar",
      instrumentId: BTCUSDT.id,
      interval: "30m",
      openTime: microsFromMs(openMs),
      closeTime: microsFromMs(openMs + BAR_MS - 1),
      open,
      high: Decimal.max(open, close).add(w),
      low: Decimal.min(open, close).sub(w),
      close,
      volume: Decimal.ONE,
      quoteVolume: close,
      tradeCount: 1,
      closed: true,
      receivedAt: microsFromMs(openMs + BAR_MS),
    };
  });
}
