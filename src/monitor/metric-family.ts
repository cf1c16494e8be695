import { DesError, ErrorCode } from "../core/index.ts";
import { PrometheusText } from "./prometheus-text.ts";

/** The Prometheus type a family is exposed as (histograms are exposed as summaries). */
export type MetricType = "counter" | "gauge" | "summary";

/** Label values given to `labels()`: one value per declared label name. */
export type LabelValues = Readonly<Record<string, string | number>>;

/** Label values as they appear in a snapshot. */
export type Labels = Readonly<Record<string, string>>;

/** What every labelled child knows about itself. */
export interface ChildIdentity {
  /** Label values by name, frozen (shared by every snapshot). */
  readonly labels: Labels;
  /** Label values in declaration order, unescaped. */
  readonly labelValues: readonly string[];
  /** The rendered label set, `{a="x"}`, or "" for an unlabelled metric. */
  readonly labelSet: string;
}

/** Default cap on the children (label combinations) of one family. */
export const DEFAULT_MAX_SERIES = 50_000;

const NO_LABELS: Labels = Object.freeze({});

/**
 * A named metric with a fixed list of label names and one child per label combination.
 * Children are created on first use and cached in a tree of maps keyed by label value, so a
 * repeated `labels()` call with string values allocates nothing; callers on a hot path keep the
 * child they got. A family holds at most `maxSeries` children: asking for one more throws a
 * DesError naming the metric, because unbounded label values are a bug (they exhaust memory).
 */
export abstract class MetricFamily<C> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;
  readonly #maxSeries: number;
  readonly #children: C[] = [];
  readonly #tree = new Map<string, unknown>();
  #single: C | undefined;

  constructor(name: string, help: string, labelNames: readonly string[], maxSeries: number) {
    PrometheusText.checkMetricName(name);
    if (typeof help !== "string") {
      throw new DesError(ErrorCode.InvalidConfig, `help of metric ${name} must be a string`, { name });
    }
    PrometheusText.checkLabelNames(name, labelNames, this.reservedLabelNames());
    this.name = name;
    this.help = help;
    this.labelNames = Object.freeze([...labelNames]);
    this.#maxSeries = maxSeries;
  }

  /** Returns the child for these label values, creating it on first use. */
  labels(values: LabelValues): C {
    const names = this.labelNames;
    const n = names.length;
    if (n === 0) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `metric ${this.name} has no labels; record on it directly`,
        {
          metric: this.name,
        },
      );
    }
    if (values === null || typeof values !== "object") return this.#createChild(values);
    let keys = 0;
    for (const key in values) if (Object.hasOwn(values, key)) keys++;
    if (keys !== n) return this.#createChild(values);
    let node: Map<string, unknown> = this.#tree;
    for (let i = 0; i < n - 1; i++) {
      const next = node.get(values[names[i]!] as string);
      if (next === undefined) return this.#createChild(values);
      node = next as Map<string, unknown>;
    }
    const child = node.get(values[names[n - 1]!] as string);
    return child === undefined ? this.#createChild(values) : (child as C);
  }

  /** Returns every child, in creation order. */
  children(): readonly C[] {
    return this.#children;
  }

  /** Returns the `# HELP`/`# TYPE` header followed by every sample line of the family. */
  abstract renderPrometheus(): string;

  /** Returns one plain object per child, for the JSON snapshot. */
  abstract snapshot(): unknown[];

  /** Creates the child for one label combination. */
  protected abstract newChild(identity: ChildIdentity): C;

  /** Returns label names a subclass keeps for itself (`quantile` on summaries). */
  protected reservedLabelNames(): readonly string[] {
    return [];
  }

  /** Returns the child of an unlabelled family; throws for a labelled one. */
  protected single(): C {
    if (this.#single !== undefined) return this.#single;
    if (this.labelNames.length > 0) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `metric ${this.name} has labels [${this.labelNames.join(", ")}]; use .labels({...})`,
        { metric: this.name },
      );
    }
    const child = this.newChild({ labels: NO_LABELS, labelValues: [], labelSet: "" });
    this.#children.push(child);
    this.#single = child;
    return child;
  }

  #createChild(values: LabelValues): C {
    const names = this.labelNames;
    const normalised = this.#normalise(values);
    let node: Map<string, unknown> = this.#tree;
    for (let i = 0; i < names.length - 1; i++) {
      let next = node.get(normalised[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map<string, unknown>();
        node.set(normalised[i]!, next);
      }
      node = next;
    }
    const last = normalised[names.length - 1]!;
    const existing = node.get(last);
    if (existing !== undefined) return existing as C;
    if (this.#children.length >= this.#maxSeries) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `metric ${this.name} reached its limit of ${this.#maxSeries} label combinations; label values must come from a bounded set`,
        { metric: this.name, maxSeries: this.#maxSeries },
      );
    }
    const labels: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) labels[names[i]!] = normalised[i]!;
    const child = this.newChild({
      labels: Object.freeze(labels),
      labelValues: Object.freeze(normalised),
      labelSet: PrometheusText.labelSet(names, normalised),
    });
    node.set(last, child);
    this.#children.push(child);
    return child;
  }

  #normalise(values: LabelValues): string[] {
    const names = this.labelNames;
    if (values === null || typeof values !== "object") {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `labels of metric ${this.name} must be an object with keys [${names.join(", ")}]`,
        { metric: this.name },
      );
    }
    for (const key of Object.keys(values)) {
      if (!names.includes(key)) {
        throw new DesError(
          ErrorCode.InvalidConfig,
          `unknown label ${JSON.stringify(key)} on metric ${this.name}; expected [${names.join(", ")}]`,
          { metric: this.name, label: key },
        );
      }
    }
    return names.map((name) => {
      const value = values[name];
      if (typeof value === "string") return value;
      if (typeof value === "number" && Number.isFinite(value)) return String(value);
      throw new DesError(
        ErrorCode.InvalidConfig,
        `label ${name} of metric ${this.name} must be a string or a finite number, got ${value === undefined ? "nothing" : typeof value}`,
        { metric: this.name, label: name },
      );
    });
  }
}
