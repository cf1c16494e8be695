import type { Logger } from "pino";
import {
  type BinanceCredentials,
  type BinanceEndpoints,
  BinanceRestClient,
  loadBinanceCredentials,
  resolveBinanceEndpoints,
} from "../venues/binance/index.ts";
import type { DesConfig } from "./config-schema.ts";

/** What every Binance part shares: the resolved endpoints, the REST client and (for trading) the credentials. */
export interface BinanceConnection {
  readonly endpoints: BinanceEndpoints;
  readonly rest: BinanceRestClient;
  readonly credentials: BinanceCredentials | undefined;
  /** True unless the environment is production: every client then refuses production hosts. */
  readonly forbidProductionHosts: boolean;
}

/**
 * Resolves BINANCE_ENV into endpoints (production only when confirmed), loads the credentials when
 * DES trades on Binance (market data alone needs none) and builds the REST client.
 */
export function openBinanceConnection(
  config: DesConfig,
  logger: Logger,
  options: { readonly needsCredentials: boolean },
): BinanceConnection {
  const endpoints = resolveBinanceEndpoints({
    env: config.binanceEnv,
    restUrl: config.binanceRestUrl,
    streamUrl: config.binanceStreamUrl,
    wsApiUrl: config.binanceWsApiUrl,
    confirmProduction: config.binanceConfirmProduction,
  });
  const credentials = options.needsCredentials
    ? loadBinanceCredentials({
        apiKey: config.binanceApiKey,
        secretKey: config.binanceSecretKey,
        privateKeyFile: config.binancePrivateKeyFile,
        secretsFile: config.binanceSecretsFile,
      })
    : undefined;
  const forbidProductionHosts = endpoints.env !== "production";
  const restLog = logger.child({ part: "binance-rest" });
  const rest = new BinanceRestClient({
    baseUrl: endpoints.restBaseUrl,
    ...(credentials !== undefined ? { credentials } : {}),
    recvWindowMs: config.binanceRecvWindowMs,
    timeoutMs: config.binanceRequestTimeoutMs,
    // One keep-alive connection per order the executor may have in flight, plus room for cancels
    // and look-ups, so a larger DES_EXECUTOR_CONCURRENCY is not queued inside the HTTP pool.
    connections: Math.max(8, config.executorConcurrency + 2),
    forbidProductionHosts,
    logger: { warn: (obj, msg) => restLog.warn(obj, msg) },
  });
  return { endpoints, rest, credentials, forbidProductionHosts };
}
