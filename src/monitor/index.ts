export { CallbackFamily, type LabelledSample } from "./callback-family.ts";
export { Counter, CounterChild } from "./counter.ts";
export { Gauge, GaugeChild } from "./gauge.ts";
export {
  DEFAULT_HIGHEST_TRACKABLE_VALUE,
  HISTOGRAM_QUANTILES,
  Histogram,
  HistogramChild,
  type HistogramOptions,
  type HistogramSnapshot,
} from "./histogram.ts";
export { DEFAULT_MAX_SERIES, type Labels, type LabelValues, type MetricType } from "./metric-family.ts";
export { MetricName } from "./metric-name.ts";
export {
  type HistogramSample,
  MetricsRegistry,
  type MetricsRegistryOptions,
  type MetricsSnapshot,
  type ValueSample,
} from "./metrics-registry.ts";
export { PrometheusText } from "./prometheus-text.ts";
export { RuntimeMetrics, type RuntimeMetricsOptions } from "./runtime-metrics.ts";
