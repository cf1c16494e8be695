import type { FastifyPluginCallback } from "fastify";
import { ApiErrorCode } from "./api-error-code.ts";
import { refusal, sendUnauthorized } from "./command-auth.ts";
import { databaseRoutes } from "./database-routes.ts";
import { orderRoutes } from "./order-routes.ts";
import { portfolioRoutes } from "./portfolio-routes.ts";
import { riskRoutes } from "./risk-routes.ts";
import { audit, type CommandRoutesOptions } from "./run-command.ts";
import { strategyRoutes } from "./strategy-routes.ts";

const READ_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD"]);

/**
 * Registers the operator routes (risk, strategies, orders, portfolio, database). Reads are open, like the
 * monitoring routes; every other method must pass the command auth first (checked before the body
 * is parsed); a refusal is a 401 and is audited. Operator answers are never cached.
 */
export const commandRoutes: FastifyPluginCallback<CommandRoutesOptions> = (app, options, done) => {
  app.addHook("onRequest", (request, reply, next) => {
    reply.header("cache-control", "no-store");
    if (READ_METHODS.has(request.method)) return next();
    const refused = refusal(options.auth, request.headers.authorization);
    if (refused === undefined) return next();
    audit(options, request, {
      command: `${request.method} ${request.routeOptions.url ?? request.url}`,
      actor: { ip: request.ip, auth: options.auth.kind },
      outcome: "rejected",
      statusCode: 401,
      error: { code: ApiErrorCode.Unauthorized, message: refused },
    });
    sendUnauthorized(reply, refused);
  });
  app.register(riskRoutes, options);
  app.register(strategyRoutes, options);
  app.register(orderRoutes, options);
  app.register(portfolioRoutes, options);
  app.register(databaseRoutes, options);
  done();
};
