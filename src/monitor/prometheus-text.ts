import { DesError, ErrorCode } from "../core/index.ts";

const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Helpers for the Prometheus text format (version 0.0.4): name rules, escaping and number
 * formatting. Everything that can be computed once per metric is computed at registration, so
 * rendering is string concatenation.
 */
export const PrometheusText = {
  /** Throws a DesError unless the name is a valid Prometheus metric name. */
  checkMetricName(name: string): void {
    if (typeof name !== "string" || !METRIC_NAME_PATTERN.test(name)) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `invalid metric name ${JSON.stringify(name)}: expected [a-zA-Z_:][a-zA-Z0-9_:]*`,
        { name },
      );
    }
  },

  /** Throws a DesError unless every label name is valid, not reserved and not repeated. */
  checkLabelNames(metric: string, labelNames: readonly string[], reserved: readonly string[] = []): void {
    if (!Array.isArray(labelNames)) {
      throw new DesError(ErrorCode.InvalidConfig, `labels of metric ${metric} must be an array of names`, {
        metric,
      });
    }
    const seen = new Set<string>();
    for (const label of labelNames) {
      if (typeof label !== "string" || !LABEL_NAME_PATTERN.test(label) || label.startsWith("__")) {
        throw new DesError(
          ErrorCode.InvalidConfig,
          `invalid label name ${JSON.stringify(label)} on metric ${metric}: expected [a-zA-Z_][a-zA-Z0-9_]*, not starting with __`,
          { metric, label },
        );
      }
      if (reserved.includes(label)) {
        throw new DesError(ErrorCode.InvalidConfig, `label name ${label} is reserved on metric ${metric}`, {
          metric,
          label,
        });
      }
      if (seen.has(label)) {
        throw new DesError(ErrorCode.InvalidConfig, `label name ${label} repeated on metric ${metric}`, {
          metric,
          label,
        });
      }
      seen.add(label);
    }
  },

  /** Returns a label value escaped for the text format (backslash, double quote, line feed). */
  escapeLabelValue(value: string): string {
    return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
  },

  /** Returns HELP text escaped for the text format (backslash and line feed). */
  escapeHelp(help: string): string {
    return help.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"));
  },

  /** Returns `{a="x",b="y"}` for the given names and values, or "" when there are none. */
  labelSet(names: readonly string[], values: readonly string[]): string {
    if (names.length === 0) return "";
    let out = "{";
    for (let i = 0; i < names.length; i++) {
      if (i > 0) out += ",";
      out += `${names[i]}="${PrometheusText.escapeLabelValue(values[i] ?? "")}"`;
    }
    return `${out}}`;
  },

  /** Returns the `# HELP` and `# TYPE` lines of a metric family. */
  header(name: string, help: string, type: "counter" | "gauge" | "summary"): string {
    return `# HELP ${name} ${PrometheusText.escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
  },

  /** Returns a sample value as Prometheus spells it (NaN, +Inf, -Inf for the special values). */
  formatValue(value: number): string {
    if (Number.isFinite(value)) return String(value);
    if (Number.isNaN(value)) return "NaN";
    return value > 0 ? "+Inf" : "-Inf";
  },
} as const;
