import type { FastifyPluginCallback } from "fastify";
import { ApiErrorCode } from "./api-error-code.ts";
import type { ApiFacade, HealthReport } from "./api-facade.ts";
import type { ErrorBody } from "./error-reply.ts";

/** Options of the health routes. */
export interface HealthRoutesOptions {
  readonly facade: ApiFacade;
}

/**
 * Registers GET /health: 200 with the report when its status is "ok", 503 otherwise (a load
 * balancer or orchestrator reads the status code). A health check that throws is a 503 too.
 */
export const healthRoutes: FastifyPluginCallback<HealthRoutesOptions> = (app, { facade }, done) => {
  app.get("/health", async (request, reply): Promise<HealthReport | ErrorBody> => {
    reply.header("cache-control", "no-store");
    let report: HealthReport;
    try {
      report = await facade.health();
    } catch (thrown) {
      request.log.error({ err: thrown }, "health check failed");
      reply.code(503);
      return {
        error: {
          code: ApiErrorCode.Internal,
          message: "health check failed; the server log has the details",
        },
      };
    }
    reply.code(report?.status === "ok" ? 200 : 503);
    return report;
  });
  done();
};
