import type { FastifyPluginCallback } from "fastify";
import type { ApiFacade } from "./api-facade.ts";

/** The content type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Options of the metrics routes. */
export interface MetricsRoutesOptions {
  readonly facade: ApiFacade;
}

/** Registers GET /api/metrics (JSON snapshot) and GET /metrics (Prometheus text). */
export const metricsRoutes: FastifyPluginCallback<MetricsRoutesOptions> = (app, { facade }, done) => {
  app.get("/api/metrics", (_request, reply) => {
    reply.header("cache-control", "no-store").send(facade.metricsJson());
  });
  app.get("/metrics", (_request, reply) => {
    reply.header("cache-control", "no-store").type(PROMETHEUS_CONTENT_TYPE).send(facade.metricsPrometheus());
  });
  done();
};
