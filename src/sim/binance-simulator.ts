import { setTimeout as sleep } from "node:timers/promises";
import type { SimDataSourceConfig } from "./data/sim-data-source-config.ts";
import { SimMarketData } from "./data/sim-market-data.ts";
import { SimStreamServer } from "./data/sim-stream-server.ts";
import { DeferredSimExchange } from "./deferred-sim-exchange.ts";
import { SimExchange } from "./exchange/sim-exchange.ts";
import type { RequestLog } from "./server/request-log.ts";
import { SimClock } from "./server/sim-clock.ts";
import type { SimFaults } from "./server/sim-faults.ts";
import type { SimRateLimits } from "./server/sim-rate-limiter.ts";
import { SimServer } from "./server/sim-server.ts";
import type { SimAccountConfig } from "./sim-accounts-config.ts";

/** Options of BinanceSimulator.start(); every one has a working default. */
export interface BinanceSimulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 0: any free port; read it back from `port`). */
  readonly port?: number;
  /** Accounts and API keys (default: defaultSimAccounts(), the docs' HMAC key and the Java Ed25519 test key). */
  readonly accounts?: readonly SimAccountConfig[];
  /** Market data replay speed (passed to SimMarketData). */
  readonly speed?: number;
  /** Market data sources (passed to SimMarketData; default both bundled sources). */
  readonly sources?: readonly SimDataSourceConfig[];
  /** Shift data times so the replay starts now (passed to SimMarketData). */
  readonly rebaseToNow?: boolean;
  /** Rate limits (default Binance's: 6000 weight/min, 50 orders/10 s, 160000 orders/day). */
  readonly limits?: Partial<SimRateLimits>;
  /** WebSocket ping interval, ms (default 20 s; streams and WS API). */
  readonly pingIntervalMs?: number;
  /** WebSocket pong deadline, ms (default 60 s). */
  readonly pongTimeoutMs?: number;
  /** WebSocket maximum connection age, ms (default 24 h). */
  readonly maxConnectionAgeMs?: number;
  /** Commission rates of new accounts (passed to SimExchange). */
  readonly makerCommissionRate?: string;
  readonly takerCommissionRate?: string;
  /** Base clock, ms (default Date.now); the server clock is this plus the clockSkewMs fault. */
  readonly clock?: () => number;
  /** Requests kept by `requestLog` (default 10,000). */
  readonly requestLogCapacity?: number;
}

/**
 * A Binance-compatible spot exchange on one local port: REST (/api/v3), market streams (/ws, /stream), the
 * WebSocket API (/ws-api/v3, user data), plus faults for testing a client's failure handling. Start it,
 * point a Binance client at restUrl / streamUrl / wsApiUrl with a default account's key, and stop it.
 */
export class BinanceSimulator {
  /** The exchange core: accounts, orders, matching. */
  readonly exchange: SimExchange;
  /** The market data replay feeding the exchange and the streams. */
  readonly marketData: SimMarketData;
  /** The market stream server. */
  readonly streams: SimStreamServer;
  /** Faults: killConnections, delayRest, failRest, timeoutAfterAccept, clockSkewMs, rateLimit429, ban418, ... */
  readonly faults: SimFaults;
  /** The last requests received (REST and WS API), oldest first; bounded, see RequestLog. */
  readonly requestLog: RequestLog;
  /** The server clock (base clock plus skew). */
  readonly clock: SimClock;
  readonly #server: SimServer;
  #stopped = false;

  private constructor(parts: {
    exchange: SimExchange;
    marketData: SimMarketData;
    streams: SimStreamServer;
    server: SimServer;
    clock: SimClock;
  }) {
    this.exchange = parts.exchange;
    this.marketData = parts.marketData;
    this.streams = parts.streams;
    this.#server = parts.server;
    this.clock = parts.clock;
    this.faults = parts.server.faults;
    this.requestLog = parts.server.requestLog;
  }

  /** Builds the exchange, the market data and the servers, listens, and starts the replay. */
  static async start(options: BinanceSimulatorOptions = {}): Promise<BinanceSimulator> {
    const clock = new SimClock(options.clock);
    const deferred = new DeferredSimExchange();
    const marketData = new SimMarketData({
      exchange: deferred,
      now: clock.now,
      ...(options.speed === undefined ? {} : { speed: options.speed }),
      ...(options.sources === undefined ? {} : { sources: [...options.sources] }),
      ...(options.rebaseToNow === undefined ? {} : { rebaseToNow: options.rebaseToNow }),
    });
    const exchange = new SimExchange({
      symbols: marketData.symbolInfos(),
      now: clock.now,
      ...(options.makerCommissionRate === undefined
        ? {}
        : { makerCommissionRate: options.makerCommissionRate }),
      ...(options.takerCommissionRate === undefined
        ? {}
        : { takerCommissionRate: options.takerCommissionRate }),
    });
    deferred.bind(exchange);
    const wsTiming = {
      ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs }),
      ...(options.pongTimeoutMs === undefined ? {} : { pongTimeoutMs: options.pongTimeoutMs }),
      ...(options.maxConnectionAgeMs === undefined ? {} : { maxConnectionAgeMs: options.maxConnectionAgeMs }),
    };
    const streams = new SimStreamServer({ marketData, now: clock.now, ...wsTiming });
    let server: SimServer;
    try {
      server = await SimServer.start({
        exchange,
        marketData,
        streams,
        clock,
        ...wsTiming,
        ...(options.accounts === undefined ? {} : { accounts: options.accounts }),
        ...(options.host === undefined ? {} : { host: options.host }),
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.limits === undefined ? {} : { limits: options.limits }),
        ...(options.requestLogCapacity === undefined
          ? {}
          : { requestLogCapacity: options.requestLogCapacity }),
      });
    } catch (e) {
      await streams.close();
      throw e;
    }
    marketData.start();
    return new BinanceSimulator({ exchange, marketData, streams, server, clock });
  }

  /** The port listened on. */
  get port(): number {
    return this.#server.port;
  }

  /** REST base URL, e.g. http://127.0.0.1:9900 (requests go to restUrl + "/api/v3/..."). */
  get restUrl(): string {
    return `http://${this.#urlHost()}:${this.port}`;
  }

  /** Market stream base URL, e.g. ws://127.0.0.1:9900 (raw: + "/ws/<stream>", combined: + "/stream?streams="). */
  get streamUrl(): string {
    return `ws://${this.#urlHost()}:${this.port}`;
  }

  /** WebSocket API URL, e.g. ws://127.0.0.1:9900/ws-api/v3. */
  get wsApiUrl(): string {
    return `ws://${this.#urlHost()}:${this.port}/ws-api/v3`;
  }

  /** Cuts every connection and stops listening; market data keeps advancing (clients miss it). */
  async pause(): Promise<void> {
    await this.#server.pause();
  }

  /** Listens again on the same port. */
  async resume(): Promise<void> {
    await this.#server.resume();
  }

  /** pause(), wait `downMs` (default 0), resume(): a server restart as a client sees it, on the same port. */
  async restart(options: { downMs?: number } = {}): Promise<void> {
    await this.pause();
    if ((options.downMs ?? 0) > 0) await sleep(options.downMs);
    await this.resume();
  }

  /** Stops the replay and closes every server, socket and timer; idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.marketData.stop();
    await this.#server.stop();
    await this.streams.close();
  }

  #urlHost(): string {
    const host = this.#server.host;
    if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
    return host.includes(":") ? `[${host}]` : host;
  }
}
