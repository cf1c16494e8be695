import { DesError, ErrorCode } from "../core/index.ts";
import { type ChildIdentity, type Labels, MetricFamily } from "./metric-family.ts";
import { PrometheusText } from "./prometheus-text.ts";

/** One counter series: a value that only goes up. */
export class CounterChild {
  readonly labels: Labels;
  readonly #metric: string;
  readonly #linePrefix: string;
  #value = 0;

  constructor(metric: string, identity: ChildIdentity) {
    this.labels = identity.labels;
    this.#metric = metric;
    this.#linePrefix = `${metric}${identity.labelSet} `;
  }

  /** Adds n (default 1); a negative or non-finite n is a bug and throws. */
  inc(n = 1): void {
    if (!(n >= 0 && n < Number.POSITIVE_INFINITY)) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `counter ${this.#metric} can only grow by a finite amount >= 0, got ${n}`,
        { metric: this.#metric, n: String(n) },
      );
    }
    this.#value += n;
  }

  /** Returns the current value. */
  get value(): number {
    return this.#value;
  }

  /** Returns the sample line. */
  render(): string {
    return this.#linePrefix + PrometheusText.formatValue(this.#value) + "\n";
  }
}

/** A counter family (`des_..._total`); unlabelled counters are incremented directly. */
export class Counter extends MetricFamily<CounterChild> {
  readonly type = "counter" as const;
  readonly #header: string;

  constructor(name: string, help: string, labelNames: readonly string[], maxSeries: number) {
    super(name, help, labelNames, maxSeries);
    this.#header = PrometheusText.header(name, help, "counter");
    if (labelNames.length === 0) this.single();
  }

  /** Adds n (default 1) to an unlabelled counter. */
  inc(n = 1): void {
    this.single().inc(n);
  }

  /** Returns the value of an unlabelled counter. */
  get value(): number {
    return this.single().value;
  }

  renderPrometheus(): string {
    let out = this.#header;
    const children = this.children();
    for (let i = 0; i < children.length; i++) out += children[i]!.render();
    return out;
  }

  snapshot(): Array<{ labels: Labels; value: number }> {
    return this.children().map((c) => ({ labels: c.labels, value: c.value }));
  }

  protected newChild(identity: ChildIdentity): CounterChild {
    return new CounterChild(this.name, identity);
  }
}
