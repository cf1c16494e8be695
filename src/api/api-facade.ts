import type { ApiCommands } from "./command-facade.ts";

/** The state of one dependency or component, as /health reports it. */
export interface HealthCheck {
  readonly status: "ok" | "degraded";
  /** What is wrong, when degraded (never a secret or a stack trace). */
  readonly detail?: string;
}

/** The body of GET /health. */
export interface HealthReport {
  readonly status: "ok" | "degraded";
  /** Seconds since the system started. */
  readonly uptimeS: number;
  /** One entry per component ("bus", "venue", "store", ...). */
  readonly checks: Readonly<Record<string, HealthCheck>>;
}

/**
 * Everything the HTTP API may ask of the running system. The app implements it; the API never
 * imports an engine, so routes can be tested with a stub.
 */
export interface ApiFacade {
  /** Returns the health report; a report that is not "ok" is served with status 503. */
  health(): HealthReport | Promise<HealthReport>;
  /** Returns the metrics as a JSON-serialisable object (MetricsRegistry.toJSON()). */
  metricsJson(): object;
  /** Returns the metrics in the Prometheus text format 0.0.4 (MetricsRegistry.toPrometheus()). */
  metricsPrometheus(): string;
  /**
   * The operator routes (risk, strategies, orders, portfolio); absent = only the monitoring routes
   * are served.
   */
  readonly commands?: ApiCommands;
}
