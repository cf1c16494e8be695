export { BinanceSimulator, type BinanceSimulatorOptions } from "./binance-simulator.ts";
export type { SimDataSourceConfig } from "./data/sim-data-source-config.ts";
export { SimMarketData } from "./data/sim-market-data.ts";
export { SimExchange } from "./exchange/sim-exchange.ts";
export type { SimExchangeApi } from "./exchange/sim-exchange-api.ts";
export {
  DOCS_HMAC_API_KEY,
  DOCS_HMAC_SECRET_KEY,
  defaultSimAccounts,
  JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM,
  SIM_ED25519_API_KEY,
} from "./sim-accounts-config.ts";
