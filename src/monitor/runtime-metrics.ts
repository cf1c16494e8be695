import {
  type ELDHistogram,
  type EventLoopUtilization,
  monitorEventLoopDelay,
  performance,
} from "node:perf_hooks";
import { type Clock, DesError, ErrorCode, LiveClock, type TimerId } from "../core/index.ts";
import type { Gauge } from "./gauge.ts";
import { MetricName } from "./metric-name.ts";
import type { MetricsRegistry } from "./metrics-registry.ts";

/** Options of RuntimeMetrics. */
export interface RuntimeMetricsOptions {
  /** The clock that drives sampling (default: LiveClock). */
  readonly clock?: Clock;
  /** How often the process is sampled; lag and utilisation cover this window (default 5000). */
  readonly sampleIntervalMs?: number;
  /** The event-loop delay timer's resolution (default 10). */
  readonly lagResolutionMs?: number;
}

const NS_PER_US = 1000;

/**
 * Node.js process metrics: event-loop lag and utilisation, heap, RSS and active resources.
 * Values are sampled every sampleIntervalMs (and once at start), so a scrape only reads numbers;
 * lag and utilisation describe the last window. Lag is the delay beyond the sampling timer's
 * resolution. The interval timer is the clock's: stop() must be called at shutdown.
 */
export class RuntimeMetrics {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #resolutionMs: number;
  readonly #lag: Record<"min" | "mean" | "max" | "p50" | "p90" | "p99", Gauge>;
  readonly #utilization: Gauge;
  readonly #heapUsed: Gauge;
  readonly #heapTotal: Gauge;
  readonly #rss: Gauge;
  readonly #activeResources: Gauge;
  #delay: ELDHistogram | undefined;
  #lastElu: EventLoopUtilization | undefined;
  #timer: TimerId | undefined;

  constructor(registry: MetricsRegistry, options: RuntimeMetricsOptions = {}) {
    this.#clock = options.clock ?? new LiveClock();
    this.#intervalMs = positiveInteger("sampleIntervalMs", options.sampleIntervalMs ?? 5000);
    this.#resolutionMs = positiveInteger("lagResolutionMs", options.lagResolutionMs ?? 10);
    const lag = (name: string, what: string): Gauge =>
      registry.gauge(
        name,
        `${what} event-loop delay beyond the timer resolution over the last window, in µs.`,
      );
    this.#lag = {
      min: lag(MetricName.EventLoopLagMin, "Smallest"),
      mean: lag(MetricName.EventLoopLagMean, "Mean"),
      max: lag(MetricName.EventLoopLagMax, "Largest"),
      p50: lag(MetricName.EventLoopLagP50, "Median"),
      p90: lag(MetricName.EventLoopLagP90, "90th percentile"),
      p99: lag(MetricName.EventLoopLagP99, "99th percentile"),
    };
    this.#utilization = registry.gauge(
      MetricName.EventLoopUtilization,
      "Share of the last window the event loop was busy (0..1).",
    );
    this.#heapUsed = registry.gauge(MetricName.HeapUsed, "V8 heap in use, in bytes.");
    this.#heapTotal = registry.gauge(MetricName.HeapTotal, "V8 heap allocated, in bytes.");
    this.#rss = registry.gauge(MetricName.Rss, "Resident set size of the process, in bytes.");
    this.#activeResources = registry.gauge(
      MetricName.ActiveResources,
      "Resources keeping the event loop alive (handles, requests, timers).",
    );
    if (registry.get(MetricName.ProcessUptime) === undefined) {
      registry.gaugeFn(MetricName.ProcessUptime, "Seconds since the process started.", () =>
        process.uptime(),
      );
    }
  }

  /** Returns true between start() and stop(). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts sampling (takes a first sample now); a second call does nothing. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#delay = monitorEventLoopDelay({ resolution: this.#resolutionMs });
    this.#delay.enable();
    this.#lastElu = performance.eventLoopUtilization();
    this.sample();
    this.#timer = this.#clock.setInterval(() => this.sample(), this.#intervalMs);
  }

  /** Stops sampling; the gauges keep their last values. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#delay?.disable();
    this.#delay = undefined;
    this.#lastElu = undefined;
  }

  /** Samples the process now: memory and resources always, lag and utilisation while started. */
  sample(): void {
    const memory = process.memoryUsage();
    this.#heapUsed.set(memory.heapUsed);
    this.#heapTotal.set(memory.heapTotal);
    this.#rss.set(memory.rss);
    this.#activeResources.set(process.getActiveResourcesInfo().length);
    if (this.#lastElu !== undefined) {
      const now = performance.eventLoopUtilization();
      this.#utilization.set(performance.eventLoopUtilization(now, this.#lastElu).utilization);
      this.#lastElu = now;
    }
    const delay = this.#delay;
    if (delay !== undefined) {
      if (delay.count > 0) {
        this.#lag.min.set(this.#lagUs(delay.min));
        this.#lag.mean.set(this.#lagUs(delay.mean));
        this.#lag.max.set(this.#lagUs(delay.max));
        this.#lag.p50.set(this.#lagUs(delay.percentile(50)));
        this.#lag.p90.set(this.#lagUs(delay.percentile(90)));
        this.#lag.p99.set(this.#lagUs(delay.percentile(99)));
      }
      delay.reset();
    }
  }

  #lagUs(ns: number): number {
    return Math.max(0, Math.round(ns / NS_PER_US - this.#resolutionMs * 1000));
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new DesError(ErrorCode.InvalidConfig, `${name} must be a positive integer, got ${value}`, {
      [name]: value,
    });
  }
  return value;
}
