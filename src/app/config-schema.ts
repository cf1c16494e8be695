import os from "node:os";
import { z } from "zod";

const replaySpeed = z.union([z.literal("max"), z.coerce.number().positive().max(1_000_000)]);

const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, "an http:// or https:// URL");
const wsUrl = z.string().regex(/^wss?:\/\/[^\s/]+(\/\S*)?$/, "a ws:// or wss:// URL");

const booleanString = z.union([
  z.boolean(),
  z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1"),
]);

const balances = z
  .union([
    z.record(z.string(), z.string()),
    z.string().transform((s, ctx) => {
      const out: Record<string, string> = {};
      for (const part of s.split(",").filter((p) => p.trim() !== "")) {
        const [asset, amount] = part.split(":").map((x) => x.trim());
        if (!asset || !amount || !/^[A-Z0-9]{2,10}$/.test(asset) || !/^\d+(\.\d+)?$/.test(amount)) {
          ctx.addIssue({
            code: "custom",
            message: `expected ASSET:AMOUNT pairs like "USDT:10000,BTC:0.5", got "${part}"`,
          });
          return z.NEVER;
        }
        out[asset] = amount;
      }
      return out;
    }),
  ])
  .refine(
    (r) => Object.values(r).every((v) => /^\d+(\.\d+)?$/.test(v)),
    "every balance must be a non-negative decimal string",
  );

/** One entry per setting: the config-file key, its environment variable, its schema and what it means. */
export const SETTINGS = {
  host: {
    env: "DES_HOST",
    schema: z.string().min(1).default("127.0.0.1"),
    doc: "Address the API/dashboard listens on",
  },
  port: {
    env: "DES_PORT",
    schema: z.coerce.number().int().min(0).max(65535).default(8080),
    doc: "API port (0: any free port)",
  },
  apiToken: {
    env: "DES_API_TOKEN",
    schema: z
      .string()
      .min(16, "at least 16 characters")
      .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
      .optional(),
    doc: "Bearer token the API's commands (POST/PUT) require (never logged); unset: commands only on a loopback DES_HOST",
    secret: true,
  },
  dbType: {
    env: "DB_TYPE",
    schema: z.enum(["sqlite", "postgres"]).default("sqlite"),
    doc: "Database of DES's records (orders, fills, signals, strategy state and instances): sqlite (the file DES_DB_PATH) or postgres (POSTGRES_URL); the order intent journal is a local file either way (DES_JOURNAL_PATH)",
  },
  dbSecondary: {
    env: "DB_SECONDARY",
    schema: z.enum(["none", "sqlite", "postgres"]).default("none"),
    doc: "Dual-write: every write also goes to this database after DB_TYPE's committed it (failures recorded and retried; see docs/db-migration-runbook.md); none, or the other of sqlite (the file DES_DB_PATH) and postgres (POSTGRES_URL). Needs DES_JOURNAL_PATH",
  },
  journalPath: {
    env: "DES_JOURNAL_PATH",
    schema: z.string().min(1).optional(),
    doc: "Local SQLite file of the order intent journal (default with DB_TYPE=sqlite: beside DES_DB_PATH, ./data/des-journal.sqlite for the default; with DB_TYPE=postgres: that file if it exists, else DES_DB_PATH; required with DB_SECONDARY); a file other than DES_DB_PATH whenever DES_DB_PATH holds the records; keep the same file across restarts",
  },
  dbPath: {
    env: "DES_DB_PATH",
    schema: z.string().min(1).default("./data/des.sqlite"),
    doc: "SQLite database file (all records with DB_TYPE=sqlite or DB_SECONDARY=sqlite; the order intent journal with DB_TYPE=postgres unless DES_JOURNAL_PATH is set)",
  },
  postgresUrl: {
    env: "POSTGRES_URL",
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, "a postgres:// URL, like postgres://des@127.0.0.1:5432/des")
      .optional(),
    doc: "PostgreSQL of DB_TYPE=postgres; may hold a password (never logged)",
    secret: true,
  },
  postgresPool: {
    env: "POSTGRES_POOL",
    schema: z.coerce.number().int().min(1).max(1000).default(25),
    doc: "Connections in the PostgreSQL pool (idle ones close after 5 min, each is retired after 1 h)",
  },
  postgresSchema: {
    env: "POSTGRES_SCHEMA",
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case SQL identifier (a-z, 0-9, _)")
      .optional(),
    doc: "PostgreSQL schema DES's tables live in (default: the server's search_path, normally public)",
  },
  strategiesFile: {
    env: "DES_STRATEGIES_FILE",
    schema: z.string().min(1).default("./config/strategies.json"),
    doc: "Strategy instances to run (JSON)",
  },
  datasetManifest: {
    env: "DES_DATASET",
    schema: z.string().min(1).default("./data/market/manifest.json"),
    doc: "Market data to replay (manifest of bundled real Binance data)",
  },
  replaySpeed: {
    env: "DES_REPLAY_SPEED",
    schema: replaySpeed.default(600),
    doc: '"max" (as fast as possible) or a multiple of real time (1 = real time)',
  },
  replayLoop: {
    env: "DES_REPLAY_LOOP",
    schema: booleanString.default(true),
    doc: "Start the replay again at its end (time keeps moving forward)",
  },
  venue: {
    env: "DES_VENUE",
    schema: z.enum(["paper", "binance"]).default("paper"),
    doc: "Trading venue: paper (simulated fills on the market data) or binance (spot, see BINANCE_ENV)",
  },
  marketData: {
    env: "DES_MARKET_DATA",
    schema: z.enum(["auto", "replay", "binance"]).default("auto"),
    doc: "Market data source: replay (bundled data), binance (live streams) or auto (binance with the binance venue, else replay)",
  },
  binanceEnv: {
    env: "BINANCE_ENV",
    schema: z.enum(["testnet", "production", "custom"]).default("testnet"),
    doc: "Binance environment: testnet, production (needs BINANCE_CONFIRM_PRODUCTION) or custom (the BINANCE_*_URL settings, e.g. `des sim`)",
  },
  binanceRestUrl: {
    env: "BINANCE_REST_URL",
    schema: httpUrl.optional(),
    doc: "REST base URL for BINANCE_ENV=custom (e.g. http://127.0.0.1:9900)",
  },
  binanceStreamUrl: {
    env: "BINANCE_STREAM_URL",
    schema: wsUrl.optional(),
    doc: "Market stream base URL for BINANCE_ENV=custom (e.g. ws://127.0.0.1:9900)",
  },
  binanceWsApiUrl: {
    env: "BINANCE_WS_API_URL",
    schema: wsUrl.optional(),
    doc: "WebSocket API URL (user data) for BINANCE_ENV=custom (e.g. ws://127.0.0.1:9900/ws-api/v3)",
  },
  binanceConfirmProduction: {
    env: "BINANCE_CONFIRM_PRODUCTION",
    schema: z.string().optional(),
    doc: "Must be yes-real-money for BINANCE_ENV=production",
  },
  binanceApiKey: {
    env: "BINANCE_API_KEY",
    schema: z.string().min(1).optional(),
    doc: "Binance API key (never logged)",
    secret: true,
  },
  binanceSecretKey: {
    env: "BINANCE_SECRET_KEY",
    schema: z.string().min(1).optional(),
    doc: "HMAC secret of the API key (never logged); or use BINANCE_PRIVATE_KEY_FILE",
    secret: true,
  },
  binancePrivateKeyFile: {
    env: "BINANCE_PRIVATE_KEY_FILE",
    schema: z.string().min(1).optional(),
    doc: "PEM file of an Ed25519 (recommended) or RSA private key",
  },
  binanceSecretsFile: {
    env: "BINANCE_SECRETS_FILE",
    schema: z.string().min(1).optional(),
    doc: 'JSON file {"apiKey", "secretKey" | "privateKeyFile"} instead of the variables above',
  },
  binanceRecvWindowMs: {
    env: "BINANCE_RECV_WINDOW_MS",
    schema: z.coerce.number().int().min(1).max(60_000).default(5000),
    doc: "recvWindow of signed requests (Binance recommends 5000 or less)",
  },
  binanceRequestTimeoutMs: {
    env: "BINANCE_REQUEST_TIMEOUT_MS",
    schema: z.coerce.number().int().min(100).max(120_000).default(10_000),
    doc: "Timeout of one REST request; an order request that times out has an unknown outcome and is looked up, never resent blindly",
  },
  binanceReconnectMaxMs: {
    env: "BINANCE_RECONNECT_MAX_MS",
    schema: z.coerce.number().int().min(100).max(600_000).default(800),
    doc: "Cap of the exponential reconnect back-off of the WebSocket connections (with jitter; at most 250 attempts per 5 minutes)",
  },
  binanceSilenceTimeoutMs: {
    env: "BINANCE_SILENCE_TIMEOUT_MS",
    schema: z.coerce.number().int().min(1000).max(600_000).default(10_000),
    doc: "A WebSocket connection that receives nothing (not even a ping) for this long is replaced",
  },
  takerFeeRate: {
    env: "DES_TAKER_FEE_RATE",
    schema: z
      .string()
      .regex(/^0(\.\d+)?$/, "a decimal fraction below 1, like 0.001")
      .default("0.001"),
    doc: "Paper venue taker fee (fraction of notional)",
  },
  makerFeeRate: {
    env: "DES_MAKER_FEE_RATE",
    schema: z
      .string()
      .regex(/^0(\.\d+)?$/, "a decimal fraction below 1, like 0.001")
      .default("0.001"),
    doc: "Paper venue maker fee (fraction of notional)",
  },
  initialBalances: {
    env: "DES_INITIAL_BALANCES",
    schema: balances.default({ USDT: "100000", BUSD: "100000" }),
    doc: "Paper account balances, ASSET:AMOUNT pairs",
  },
  strategyConcurrency: {
    env: "DES_STRATEGY_CONCURRENCY",
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(Math.max(4, 2 * os.availableParallelism())),
    doc: "Strategy handler invocations in flight at once (default 2 x cores, at least 4)",
  },
  strategyTimeoutMs: {
    env: "DES_STRATEGY_TIMEOUT_MS",
    schema: z.coerce.number().int().min(1).max(600_000).default(1000),
    doc: "Time budget of one strategy handler call",
  },
  stateSaveIntervalMs: {
    env: "DES_STATE_SAVE_INTERVAL_MS",
    schema: z.coerce.number().int().min(100).max(3_600_000).default(5000),
    doc: "How often changed strategy state is saved",
  },
  riskFile: {
    env: "DES_RISK_FILE",
    schema: z.string().min(1).optional(),
    doc: "Risk limits (JSON, validated by the risk engine's schema); absent: no limits",
  },
  executorConcurrency: {
    env: "DES_EXECUTOR_CONCURRENCY",
    schema: z.coerce.number().int().min(1).max(1024).default(8),
    doc: "Orders in flight at a remote venue (Binance) at once: sent, outcome not settled (the paper venue is not bounded)",
  },
  orderTimeoutMs: {
    env: "DES_ORDER_TIMEOUT_MS",
    schema: z.coerce.number().int().min(1).max(600_000).default(10_000),
    doc: "A submit or look-up not answered within this time counts as unknown and is looked up",
  },
  maxIntentAgeMs: {
    env: "DES_MAX_INTENT_AGE_MS",
    schema: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
    doc: "At start-up, an order intent the venue never placed is sent again only when at most this old; older ones are rejected",
  },
  booksSnapshotIntervalMs: {
    env: "DES_BOOKS_SNAPSHOT_INTERVAL_MS",
    schema: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
    doc: "Venues whose orders outlive DES: the books snapshot is saved at most this often (after fills), so a restart replays only the fills after it",
  },
  unknownVenueOrders: {
    env: "DES_UNKNOWN_VENUE_ORDERS",
    schema: z.enum(["report", "adopt"]).default("report"),
    doc: "At start-up, open venue orders DES did not send: report (log, leave alone) or adopt (book their fills under strategy `adopted`)",
  },
  shutdownTimeoutMs: {
    env: "DES_SHUTDOWN_TIMEOUT_MS",
    schema: z.coerce.number().int().min(100).max(600_000).default(10_000),
    doc: "Bound on graceful shutdown",
  },
  redisUrl: {
    env: "REDIS_URL",
    schema: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, "a redis:// or rediss:// URL, like redis://127.0.0.1:6379")
      .optional(),
    doc: "Redis the live-state cache (last prices, positions, balances, strategy statuses) is shared through; may hold a password (never logged); unset: the cache is local to the process and no Redis connection is attempted",
    secret: true,
  },
  cacheNamespace: {
    env: "CACHE_NAMESPACE",
    schema: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,64}$/, "1-64 of the characters a-z A-Z 0-9 _ . -")
      .default("default"),
    doc: "Cache keys are des:<namespace>:...; DES processes with the same namespace share their entries in Redis, different namespaces never see each other's",
  },
  logLevel: {
    env: "DES_LOG_LEVEL",
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    doc: "Log level (pino)",
  },
} as const;

export type SettingKey = keyof typeof SETTINGS;

/** Returns true for settings whose values are secrets: never printed, logged or echoed in errors. */
export function isSecretSetting(key: SettingKey): boolean {
  const setting = SETTINGS[key];
  return "secret" in setting && setting.secret === true;
}

/** Returns the config with secret values replaced by "[redacted]", for printing. */
export function redactConfig(config: DesConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(config) as SettingKey[]) {
    out[key] = isSecretSetting(key) && config[key] !== undefined ? "[redacted]" : config[key];
  }
  return out;
}

/** The validated, frozen configuration. */
export type DesConfig = { readonly [K in SettingKey]: z.output<(typeof SETTINGS)[K]["schema"]> };
