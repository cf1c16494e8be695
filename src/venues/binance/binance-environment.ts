import { DesError, ErrorCode } from "../../core/index.ts";

/** Which Binance to talk to: the spot testnet, real production, or custom URLs (the local simulator). */
export type BinanceEnvName = "testnet" | "production" | "custom";

/** The three base URLs of one environment. */
export interface BinanceEndpoints {
  readonly env: BinanceEnvName;
  /** REST origin; the client appends `/api/v3/...`. */
  readonly restBaseUrl: string;
  /** Market streams; consumers append `/ws/<stream>` or `/stream?streams=`. */
  readonly streamBaseUrl: string;
  /** WebSocket API endpoint, complete (`.../ws-api/v3`). */
  readonly wsApiUrl: string;
}

/** The value BINANCE_CONFIRM_PRODUCTION must hold before anything talks to real-money Binance. */
export const PRODUCTION_CONFIRMATION = "yes-real-money";

/** Spot testnet URLs (reference section 1.1, the official JS connector's constants). */
export const TESTNET_ENDPOINTS: BinanceEndpoints = Object.freeze({
  env: "testnet",
  restBaseUrl: "https://testnet.binance.vision",
  streamBaseUrl: "wss://stream.testnet.binance.vision",
  wsApiUrl: "wss://ws-api.testnet.binance.vision/ws-api/v3",
});

/** Production URLs (reference section 1.1). */
export const PRODUCTION_ENDPOINTS: BinanceEndpoints = Object.freeze({
  env: "production",
  restBaseUrl: "https://api.binance.com",
  streamBaseUrl: "wss://stream.binance.com:9443",
  wsApiUrl: "wss://ws-api.binance.com:443/ws-api/v3",
});

/**
 * Every production host of reference section 1.1 (REST, market-data-only REST, streams, market-data-only
 * streams, WebSocket API). isProductionUrl also treats every other host under binance.com (demo mode
 * included) as production: none of them is the testnet.
 */
export const PRODUCTION_HOSTS: readonly string[] = Object.freeze([
  "api.binance.com",
  "api-gcp.binance.com",
  "api1.binance.com",
  "api2.binance.com",
  "api3.binance.com",
  "api4.binance.com",
  "data-api.binance.vision",
  "stream.binance.com",
  "data-stream.binance.vision",
  "ws-api.binance.com",
]);

const PRODUCTION_HOST_SET = new Set(PRODUCTION_HOSTS);

/**
 * Returns true when the URL's host is one of PRODUCTION_HOSTS or any host under binance.com (any port,
 * any letter case, with or without the trailing dot of a fully qualified name).
 */
export function isProductionUrl(url: string): boolean {
  const host = hostOf(url);
  return PRODUCTION_HOST_SET.has(host) || host === "binance.com" || host.endsWith(".binance.com");
}

/**
 * Throws DES_ERR_PRODUCTION_NOT_CONFIRMED when the URL points at a production host; REST and WebSocket
 * clients call it before connecting when their environment is not production (belt and braces).
 */
export function assertNotProductionUrl(url: string): void {
  if (isProductionUrl(url)) {
    throw new DesError(
      ErrorCode.ProductionNotConfirmed,
      `${hostOf(url)} is a production Binance host; it is refused outside BINANCE_ENV=production`,
      { host: hostOf(url) },
    );
  }
}

/** Options of resolveBinanceEndpoints, as the BINANCE_* settings give them. */
export interface BinanceEnvironmentOptions {
  env: BinanceEnvName;
  restUrl?: string;
  streamUrl?: string;
  wsApiUrl?: string;
  confirmProduction?: string;
}

/**
 * Returns the base URLs of the chosen environment. Production needs `confirmProduction` to be
 * "yes-real-money" (else DES_ERR_PRODUCTION_NOT_CONFIRMED); custom needs all three URLs (http(s) for REST,
 * ws(s) for the others) and, when any of them is a production host, the same confirmation. URL settings
 * given with testnet or production replace that environment's defaults; testnet never accepts a
 * production host.
 */
export function resolveBinanceEndpoints(options: BinanceEnvironmentOptions): BinanceEndpoints {
  const { env } = options;
  const confirmed = options.confirmProduction === PRODUCTION_CONFIRMATION;
  let base: BinanceEndpoints;
  if (env === "testnet") base = TESTNET_ENDPOINTS;
  else if (env === "production") base = PRODUCTION_ENDPOINTS;
  else if (env === "custom") {
    const missing = [
      options.restUrl === undefined ? "BINANCE_REST_URL" : undefined,
      options.streamUrl === undefined ? "BINANCE_STREAM_URL" : undefined,
      options.wsApiUrl === undefined ? "BINANCE_WS_API_URL" : undefined,
    ].filter((x) => x !== undefined);
    if (missing.length > 0) {
      throw new DesError(ErrorCode.InvalidConfig, `BINANCE_ENV=custom needs ${missing.join(", ")}`, {
        missing,
      });
    }
    base = { env, restBaseUrl: "", streamBaseUrl: "", wsApiUrl: "" };
  } else {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `BINANCE_ENV must be testnet, production or custom, got ${JSON.stringify(env)}`,
      { env },
    );
  }
  if (env === "production" && !confirmed) {
    throw new DesError(
      ErrorCode.ProductionNotConfirmed,
      `BINANCE_ENV=production trades real money: set BINANCE_CONFIRM_PRODUCTION=${PRODUCTION_CONFIRMATION} to confirm`,
    );
  }
  const endpoints: BinanceEndpoints = {
    env,
    restBaseUrl: checkUrl(options.restUrl ?? base.restBaseUrl, "BINANCE_REST_URL", ["http:", "https:"]),
    streamBaseUrl: checkUrl(options.streamUrl ?? base.streamBaseUrl, "BINANCE_STREAM_URL", ["ws:", "wss:"]),
    wsApiUrl: checkUrl(options.wsApiUrl ?? base.wsApiUrl, "BINANCE_WS_API_URL", ["ws:", "wss:"]),
  };
  if (env !== "production") {
    const urls = [endpoints.restBaseUrl, endpoints.streamBaseUrl, endpoints.wsApiUrl];
    const production = urls.find(isProductionUrl);
    if (production !== undefined && (env === "testnet" || !confirmed)) {
      throw new DesError(
        ErrorCode.ProductionNotConfirmed,
        env === "testnet"
          ? `BINANCE_ENV=testnet cannot use the production host ${hostOf(production)}`
          : `BINANCE_ENV=custom points at the production host ${hostOf(production)}: set BINANCE_CONFIRM_PRODUCTION=${PRODUCTION_CONFIRMATION} to confirm`,
        { host: hostOf(production) },
      );
    }
  }
  return Object.freeze(endpoints);
}

function checkUrl(url: string, setting: string, protocols: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DesError(ErrorCode.InvalidConfig, `${setting} is not a URL: ${JSON.stringify(url)}`, {
      setting,
      url,
    });
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `${setting} must use ${protocols.map((p) => p.slice(0, -1)).join(" or ")}, got ${JSON.stringify(url)}`,
      { setting, url },
    );
  }
  // A trailing slash would double up when paths are appended.
  return url.endsWith("/") ? url.slice(0, -1) : url;
}

function hostOf(url: string): string {
  try {
    // Lower case and without a trailing dot, so "API.Binance.com." is still recognised.
    return new URL(url).hostname.toLowerCase().replace(/\.$/, "");
  } catch {
    return "";
  }
}
