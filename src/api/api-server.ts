import type { AddressInfo } from "node:net";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { DesError, ErrorCode } from "../core/index.ts";
import { ApiErrorCode } from "./api-error-code.ts";
import type { ApiFacade } from "./api-facade.ts";
import { commandAuth } from "./command-auth.ts";
import { commandRoutes } from "./command-routes.ts";
import { errorReply } from "./error-reply.ts";
import { healthRoutes } from "./health-routes.ts";
import { metricsRoutes } from "./metrics-routes.ts";

/** Options of the HTTP API server. */
export interface ApiServerOptions {
  /** Interface to listen on (default 127.0.0.1: not reachable from other hosts). */
  readonly host?: string;
  /** Port to listen on (default 8080; 0 picks a free port). */
  readonly port?: number;
  /** A pino logger; without one the server logs nothing. */
  readonly logger?: FastifyBaseLogger;
  /** Largest request body accepted (default 1 MiB); larger bodies get a 413. */
  readonly bodyLimitBytes?: number;
  /** Time a client has to send a whole request (default 30,000; 0 disables). */
  readonly requestTimeoutMs?: number;
  /**
   * The bearer token every command (POST/PUT) must carry (DES_API_TOKEN; never logged). Without
   * one, commands are allowed only on a loopback host, and a facade with commands on any other host
   * is refused at build time.
   */
  readonly apiToken?: string | undefined;
}

/** The running API: the fastify app (for inject in tests), listen and graceful close. */
export interface ApiServer {
  readonly app: FastifyInstance;
  /** Starts listening; returns the base URL ("http://127.0.0.1:8080"). */
  listen(): Promise<string>;
  /** Returns the bound host and port while listening. */
  address(): { host: string; port: number } | undefined;
  /** Stops accepting connections, lets requests in flight finish, then closes idle connections. */
  close(): Promise<void>;
}

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 8080;
const MAX_ECHOED_URL = 200;

/**
 * Returns the HTTP API server over the given facade (not yet listening). Throws
 * DES_ERR_INVALID_CONFIG for bad options, including commands on a non-loopback host without a token.
 */
export function buildApiServer(facade: ApiFacade, options: ApiServerOptions = {}): ApiServer {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (typeof host !== "string" || host.length === 0) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `api host must be a non-empty string, got ${JSON.stringify(host)}`,
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DesError(ErrorCode.InvalidConfig, `api port must be an integer in 0..65535, got ${port}`, {
      port,
    });
  }
  const bodyLimit = nonNegativeInteger("bodyLimitBytes", options.bodyLimitBytes ?? 1024 * 1024);
  const requestTimeout = nonNegativeInteger("requestTimeoutMs", options.requestTimeoutMs ?? 30_000);
  const commands = facade.commands;
  // Checked even without commands, so a malformed token stops start-up whatever is served.
  const auth =
    commands !== undefined || options.apiToken !== undefined
      ? commandAuth(host, options.apiToken)
      : undefined;

  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    bodyLimit,
    requestTimeout,
    forceCloseConnections: "idle",
  });

  app.setErrorHandler((error, request, reply) => {
    const { statusCode, body } = errorReply(error);
    if (statusCode >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ err: error, statusCode }, "request rejected");
    reply.code(statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const url =
      request.url.length > MAX_ECHOED_URL ? `${request.url.slice(0, MAX_ECHOED_URL)}...` : request.url;
    reply
      .code(404)
      .send({ error: { code: ApiErrorCode.NotFound, message: `no route ${request.method} ${url}` } });
  });
  app.register(healthRoutes, { facade });
  app.register(metricsRoutes, { facade });
  if (commands !== undefined && auth !== undefined) app.register(commandRoutes, { commands, auth });

  let listening = false;
  return {
    app,
    async listen(): Promise<string> {
      const url = await app.listen({ host, port });
      listening = true;
      return url;
    },
    address() {
      if (!listening) return undefined;
      const bound = app.server.address() as AddressInfo | null;
      return bound === null ? undefined : { host: bound.address, port: bound.port };
    },
    async close(): Promise<void> {
      listening = false;
      await app.close();
    },
  };
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new DesError(ErrorCode.InvalidConfig, `api ${name} must be a non-negative integer, got ${value}`, {
      [name]: value,
    });
  }
  return value;
}
