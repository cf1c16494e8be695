export { BarAggregator, type BarAggregatorOptions, type BarAggregatorStats } from "./bar-aggregator.ts";
export {
  BarResampler,
  type BarResamplerOptions,
  type BarResamplerStats,
  resampleBars,
} from "./bar-resampler.ts";
export {
  type BinanceKlineRowMsg,
  type KlineLoadOptions,
  type KlineParseOptions,
  loadKlinesJson,
  parseKlineRow,
  parseKlinesCsv,
  parseKlinesJson,
} from "./binance-klines.ts";
export {
  type BinanceAggTradeMsg,
  type BinanceTradeMsg,
  parseAggTradeMsg,
  parseTradeJsonRow,
  parseTradeMsg,
  parseTradesCsv,
  parseTradesJson,
  type TradeLoadOptions,
  type TradeParseOptions,
} from "./binance-trades.ts";
export { FieldReader, isBadRowError, microsFromEpoch } from "./field-reader.ts";
export { HistoricalBars } from "./historical-bars.ts";
export { intervalBucketStart, intervalOfLength } from "./interval-bucket.ts";
export {
  type LeanParseOptions,
  leanDateFromText,
  parseLeanHourCsv,
  parseLeanMinuteCsv,
} from "./lean-bars.ts";
export {
  type BarSource,
  type BarSubscription,
  MarketDataEngine,
  type MarketDataEngineOptions,
  type MarketDataEngineStats,
} from "./market-data-engine.ts";
export { busSink, deliverMarketEvent, type MarketDataSink } from "./market-data-sink.ts";
export {
  DEFAULT_MARKET_DATASET_DIR,
  MarketDataset,
  type MarketDatasetFile,
  type MarketDatasetLoadOptions,
  type MarketManifest,
} from "./market-dataset.ts";
export {
  instrumentFromFileName,
  loadMarketFile,
  MARKET_FILE_FORMATS,
  type MarketFileData,
  type MarketFileFormat,
  type MarketFileOptions,
  parseMarketText,
} from "./market-file.ts";
export { assertTimeOrdered, marketEventTime, mergeMarketEvents } from "./merge-market-events.ts";
export {
  ReplayFeed,
  type ReplayFeedOptions,
  type ReplayResult,
  type ReplaySpeed,
  type ReplayState,
  type ReplayStats,
} from "./replay-feed.ts";
export {
  type BadRowPolicy,
  type LoadResult,
  MAX_KEPT_ROW_ERRORS,
  RowCollector,
  type RowOrder,
} from "./row-collector.ts";
export {
  parseTradingSignalsCandles,
  type TradingSignalsCandleMsg,
  type TradingSignalsParseOptions,
} from "./trading-signals-candles.ts";
