import type { SimExchangeApi } from "../exchange/sim-exchange-api.ts";
import { defaultSimAccounts, type SimAccountConfig } from "../sim-accounts-config.ts";
import { RequestLog } from "./request-log.ts";
import { restEndpoints } from "./rest-endpoints.ts";
import type { SimClock } from "./sim-clock.ts";
import { handleControlRequest } from "./sim-control-routes.ts";
import { SimCredentialStore } from "./sim-credential-store.ts";
import { SimFaults } from "./sim-faults.ts";
import { SimHttpServer } from "./sim-http-server.ts";
import type { SimKlineSource, SimStreamEndpoint } from "./sim-market-ports.ts";
import { SimRateLimiter, type SimRateLimits } from "./sim-rate-limiter.ts";
import { SimRestHandler } from "./sim-rest-handler.ts";
import { SimWsApiServer } from "./sim-ws-api-server.ts";
import { UserEventRouter } from "./user-event-router.ts";

/** What the server layer is built from. */
export interface SimServerOptions {
  readonly exchange: SimExchangeApi;
  readonly marketData: SimKlineSource;
  readonly streams?: SimStreamEndpoint;
  readonly clock: SimClock;
  /** Accounts and API keys (default: defaultSimAccounts()); each is opened on the exchange at start. */
  readonly accounts?: readonly SimAccountConfig[];
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  readonly limits?: Partial<SimRateLimits>;
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  readonly maxConnectionAgeMs?: number;
  /** Entries kept by the request log (default 10,000). */
  readonly requestLogCapacity?: number;
}

/**
 * The simulator's network side on one port: REST, the WebSocket API, the market stream upgrades and the
 * control surface, with auth, rate limits, the request log and the faults. The exchange and market data
 * are given; this class owns only sockets and timers.
 */
export class SimServer {
  readonly faults: SimFaults;
  readonly requestLog: RequestLog;
  readonly limiter: SimRateLimiter;
  readonly credentials: SimCredentialStore;
  readonly #http: SimHttpServer;
  readonly #rest: SimRestHandler;
  readonly #wsApi: SimWsApiServer;
  readonly #streams: SimStreamEndpoint | undefined;
  readonly #router = new UserEventRouter();
  readonly #unsubscribe: () => void;
  #stopped = false;

  private constructor(options: SimServerOptions) {
    const { exchange, clock } = options;
    this.credentials = new SimCredentialStore(options.accounts ?? defaultSimAccounts());
    this.requestLog = new RequestLog(options.requestLogCapacity);
    this.limiter = new SimRateLimiter(options.limits, clock.now);
    this.#streams = options.streams;
    this.faults = new SimFaults({
      clock,
      limiter: this.limiter,
      streams: options.streams?.faults,
      killConnections: () => this.killConnections(),
      wsApiServerShutdown: () => this.#wsApi.serverShutdown(),
    });
    const endpoints = restEndpoints({
      exchange,
      marketData: options.marketData,
      now: clock.now,
      rateLimitsInfo: () => this.limiter.rateLimitsInfo(),
    });
    this.#rest = new SimRestHandler({
      endpoints,
      credentials: this.credentials,
      limiter: this.limiter,
      faults: this.faults,
      clock,
      requestLog: this.requestLog,
    });
    const wsOptions = {
      ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs }),
      ...(options.pongTimeoutMs === undefined ? {} : { pongTimeoutMs: options.pongTimeoutMs }),
      ...(options.maxConnectionAgeMs === undefined ? {} : { maxConnectionAgeMs: options.maxConnectionAgeMs }),
    };
    this.#wsApi = new SimWsApiServer(
      {
        clock,
        limiter: this.limiter,
        credentials: this.credentials,
        router: this.#router,
        requestLog: this.requestLog,
      },
      wsOptions,
    );
    const controlDeps = {
      faults: this.faults,
      exchange,
      credentials: this.credentials,
      limiter: this.limiter,
      clock,
      requestLog: this.requestLog,
      connections: () => ({
        sockets: this.#http.socketCount(),
        wsApi: this.#wsApi.connectionCount(),
        userSubscriptions: this.#router.size(),
      }),
    };
    this.#http = new SimHttpServer(
      {
        rest: this.#rest,
        control: (req, res, path) => handleControlRequest(controlDeps, req, res, path),
        wsApi: this.#wsApi,
        streams: options.streams,
      },
      options.host ?? "127.0.0.1",
      options.port ?? 0,
    );
    for (const account of this.credentials.accounts())
      exchange.addAccount(account.accountId, account.balances);
    this.#unsubscribe = exchange.onUserEvent(this.#router.dispatch);
  }

  /** Builds the server and starts listening. */
  static async start(options: SimServerOptions): Promise<SimServer> {
    const server = new SimServer(options);
    try {
      await server.#http.listen();
    } catch (e) {
      server.#unsubscribe();
      throw e;
    }
    return server;
  }

  /** The port listened on. */
  get port(): number {
    return this.#http.port;
  }

  /** The host listened on. */
  get host(): string {
    return this.#http.host;
  }

  /** Whether the port is accepting connections (false while paused). */
  get listening(): boolean {
    return this.#http.listening;
  }

  /** WebSocket API connections open. */
  wsApiConnectionCount(): number {
    return this.#wsApi.connectionCount();
  }

  /** Destroys every socket abruptly: withheld/delayed REST requests, keep-alive, WS API, market streams. */
  killConnections(): void {
    this.#rest.closeAll();
    this.#wsApi.terminateAll();
    this.#streams?.faults.killAll();
    this.#http.destroySockets();
  }

  /** Cuts every connection and stops listening (clients get ECONNREFUSED until resume()). */
  async pause(): Promise<void> {
    this.#rest.closeAll();
    this.#wsApi.terminateAll();
    this.#streams?.faults.killAll();
    await this.#http.stopListening();
  }

  /** Listens again on the same host and port. */
  async resume(): Promise<void> {
    if (this.#stopped) throw new Error("the simulator server is stopped");
    if (!this.#http.listening) await this.#http.listen();
  }

  /** Closes everything this server opened; idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#unsubscribe();
    this.#rest.closeAll();
    await this.#wsApi.close();
    await this.#http.stopListening();
  }
}
