/**
 * Streaming technical indicators over float numbers, O(1) (amortised) work per update, following
 * TA-Lib's conventions so results match its regression tables. Common behaviour:
 * - constructors validate periods (integers 1..MAX_PERIOD) and throw DesError InvalidStrategyParams;
 * - update() rejects non-finite input (and inverted bars) with DesError InvalidMarketData, state unchanged;
 * - outputs are NaN until isReady; reset() forgets everything;
 * - toJSON() gives a JSON-safe snapshot and the static fromJSON() restores it to continue identically.
 */
export { Atr, type AtrSnapshot } from "./atr.ts";
export { BollingerBands, type BollingerBandsSnapshot } from "./bollinger-bands.ts";
export { MAX_PERIOD } from "./check-period.ts";
export { Ema, type EmaSnapshot } from "./ema.ts";
export type { BarIndicator, Indicator, IndicatorSnapshot, ValueIndicator } from "./indicator.ts";
export { Macd, type MacdSnapshot } from "./macd.ts";
export { Rsi, type RsiSnapshot } from "./rsi.ts";
export { Sma, type SmaSnapshot } from "./sma.ts";
export { StdDev, type StdDevSnapshot } from "./std-dev.ts";
export { Stochastic, type StochasticSnapshot } from "./stochastic.ts";
export { Wma, type WmaSnapshot } from "./wma.ts";
