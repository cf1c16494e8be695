import { type ChildIdentity, type Labels, MetricFamily } from "./metric-family.ts";
import { PrometheusText } from "./prometheus-text.ts";

/** One gauge series: a value that goes up and down. */
export class GaugeChild {
  readonly labels: Labels;
  readonly #linePrefix: string;
  #value = 0;

  constructor(metric: string, identity: ChildIdentity) {
    this.labels = identity.labels;
    this.#linePrefix = `${metric}${identity.labelSet} `;
  }

  /** Sets the value. */
  set(value: number): void {
    this.#value = value;
  }

  /** Adds n (default 1). */
  inc(n = 1): void {
    this.#value += n;
  }

  /** Subtracts n (default 1). */
  dec(n = 1): void {
    this.#value -= n;
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

/** A gauge family; unlabelled gauges are set directly. */
export class Gauge extends MetricFamily<GaugeChild> {
  readonly type = "gauge" as const;
  readonly #header: string;

  constructor(name: string, help: string, labelNames: readonly string[], maxSeries: number) {
    super(name, help, labelNames, maxSeries);
    this.#header = PrometheusText.header(name, help, "gauge");
    if (labelNames.length === 0) this.single();
  }

  /** Sets an unlabelled gauge. */
  set(value: number): void {
    this.single().set(value);
  }

  /** Adds n (default 1) to an unlabelled gauge. */
  inc(n = 1): void {
    this.single().inc(n);
  }

  /** Subtracts n (default 1) from an unlabelled gauge. */
  dec(n = 1): void {
    this.single().dec(n);
  }

  /** Returns the value of an unlabelled gauge. */
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

  protected newChild(identity: ChildIdentity): GaugeChild {
    return new GaugeChild(this.name, identity);
  }
}
