export { BinanceApiError, isUnknownOutcome } from "./binance-api-error.ts";
export {
  type BinanceCredentialSource,
  BinanceCredentials,
  loadBinanceCredentials,
} from "./binance-credentials.ts";
export {
  type BinanceEndpoints,
  type BinanceEnvName,
  isProductionUrl,
  PRODUCTION_HOSTS,
  resolveBinanceEndpoints,
  TESTNET_ENDPOINTS,
} from "./binance-environment.ts";
export { BinanceVenue } from "./binance-venue.ts";
export type { BinanceVenueOptions, BinanceVenueStats } from "./binance-venue-options.ts";
export type { BinanceRestApi, NewOrderParams, RateLimitSnapshot } from "./rest/binance-rest-api.ts";
export { BinanceRestClient, type BinanceRestClientOptions } from "./rest/binance-rest-client.ts";
export { BinanceMarketStream } from "./stream/binance-market-stream.ts";
export type {
  BinanceMarketStreamOptions,
  BinanceMarketStreamStats,
  MarketStreamSink,
} from "./stream/binance-market-stream-options.ts";
export type { StreamSpec } from "./stream/stream-spec.ts";
export { BinanceUserDataStream, type BinanceUserDataStreamOptions } from "./user/binance-user-data-stream.ts";
export type { KlineRowMsg } from "./wire/rest-msgs.ts";
