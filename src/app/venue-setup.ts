import type { Logger } from "pino";
import { type Clock, Decimal, type InstrumentId } from "../core/index.ts";
import type { Instrument, VenuePort } from "../model/index.ts";
import { MetricName, type MetricsRegistry } from "../monitor/index.ts";
import { BinanceUserDataStream, BinanceVenue } from "../venues/binance/index.ts";
import { PaperVenue } from "../venues/paper/index.ts";
import type { BinanceConnection } from "./binance-connection.ts";
import type { DesConfig } from "./config-schema.ts";
import type { SourceHealth } from "./market-source.ts";

/** The account the paper venue books fills to. */
const PAPER_ACCOUNT = "paper";
/** The account the Binance venue books fills to. */
const BINANCE_ACCOUNT = "binance";

/** The venue DES trades on, with the cash it starts from. */
export interface VenueSetup {
  readonly kind: "paper" | "binance";
  readonly venue: VenuePort;
  /** Starting balances per asset (the paper config, or what the Binance account holds at start). */
  readonly initialCash: Readonly<Record<string, string>>;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): SourceHealth;
  registerMetrics(registry: MetricsRegistry): void;
}

/** Builds the paper venue from the config's balances and fee rates. */
export function paperVenueSetup(
  config: DesConfig,
  clock: Clock,
  instruments: ReadonlyMap<InstrumentId, Instrument>,
): VenueSetup {
  const venue = new PaperVenue({
    clock,
    instruments: instruments.values(),
    initialBalances: config.initialBalances,
    makerFeeRate: config.makerFeeRate,
    takerFeeRate: config.takerFeeRate,
    accountId: PAPER_ACCOUNT,
  });
  return {
    kind: "paper",
    venue,
    initialCash: config.initialBalances,
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    health: () => ({ status: "ok" }),
    registerMetrics: () => {},
  };
}

/**
 * Connects the Binance venue: reads the account's balances (the portfolio's starting cash on a first
 * run) and keeps the user data stream (WebSocket API) running. The account's open orders are
 * reconciled at start-up by execution (resume of journaled orders, adopt-or-report policy).
 */
export async function binanceVenueSetup(
  config: DesConfig,
  connection: BinanceConnection,
  instruments: ReadonlyMap<InstrumentId, Instrument>,
  logger: Logger,
): Promise<VenueSetup> {
  const credentials = connection.credentials;
  if (credentials === undefined) throw new Error("binanceVenueSetup needs credentials");
  const log = logger.child({ part: "binance-venue" });
  const userData = new BinanceUserDataStream({
    wsApiUrl: connection.endpoints.wsApiUrl,
    credentials,
    timeOffsetMs: () => connection.rest.timeOffsetMs,
    recvWindowMs: config.binanceRecvWindowMs,
    backoff: { maxMs: config.binanceReconnectMaxMs },
    silenceTimeoutMs: Math.max(config.binanceSilenceTimeoutMs, 50_000),
    forbidProductionHosts: connection.forbidProductionHosts,
    logger: log,
  });
  const venue = new BinanceVenue({
    accountId: BINANCE_ACCOUNT,
    rest: connection.rest,
    userData,
    instruments,
    recvWindowMs: config.binanceRecvWindowMs,
    // Start-up reconciliation is execution's (DesApp: journal, resume, adopt-or-report policy).
    reconcileOnStart: false,
    logger: log,
  });
  const account = await connection.rest.account();
  const initialCash: Record<string, string> = {};
  for (const b of account.balances) {
    const total = addDecimalStrings(b.free, b.locked);
    if (total !== "0") initialCash[b.asset] = total;
  }
  return {
    kind: "binance",
    venue,
    initialCash,
    start: () => venue.start(),
    stop: () => venue.stop(),
    health: () => {
      const s = userData.stats();
      return s.subscribed
        ? { status: "ok" }
        : { status: "degraded", detail: "user data stream not subscribed" };
    },
    registerMetrics: (r) => {
      r.counterFn(
        MetricName.BinanceUserStreamReconnects,
        "User data stream reconnections",
        () => userData.stats().reconnects,
      );
      r.counterFn(
        MetricName.BinanceUserStreamEvents,
        "User data events received",
        () => userData.stats().events,
      );
      r.counterFn(
        MetricName.BinanceUserStreamParseErrors,
        "User data frames that could not be read",
        () => userData.stats().parseErrors,
      );
      r.counterFn(
        MetricName.BinanceFills,
        "Fills handed to execution by the Binance venue",
        () => venue.stats().fillsEmitted,
      );
      r.counterFn(
        MetricName.BinanceDuplicateFills,
        "Fills seen twice (REST response and stream) and applied once",
        () => venue.stats().duplicateFillsDropped,
      );
      r.counterFn(
        MetricName.BinanceUnknownOutcomes,
        "Order requests whose outcome was unknown (timeout, 5xx) and were looked up",
        () => venue.stats().unknownOutcomes,
      );
      r.counterFn(
        MetricName.BinanceResends,
        "Orders resent after the venue proved the first request never placed them",
        () => venue.stats().resends,
      );
      r.counterFn(
        MetricName.BinanceReconciliations,
        "Reconciliations of open orders and fills over REST",
        () => venue.stats().reconciliations,
      );
      r.gaugeFn(
        MetricName.BinanceRestUsedWeight,
        "X-MBX-USED-WEIGHT-1M of the last REST response",
        () => connection.rest.rateLimits().usedWeight1m,
      );
      r.gaugeFn(
        MetricName.BinanceRestOrderCount10s,
        "X-MBX-ORDER-COUNT-10S of the last order response",
        () => connection.rest.rateLimits().orderCount10s,
      );
      r.gaugeFn(
        MetricName.BinanceRestBlockedUntil,
        "Epoch ms until which no REST request is sent (429/418 Retry-After); 0 when free",
        () => connection.rest.rateLimits().blockedUntilMs,
      );
    },
  };
}

/** Adds two decimal strings exactly (free + locked). */
function addDecimalStrings(a: string, b: string): string {
  return Decimal.from(a).add(Decimal.from(b)).toString();
}
