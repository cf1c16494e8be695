import { DesError, ErrorCode } from "../core/index.ts";
import type { Labels } from "./metric-family.ts";
import { PrometheusText } from "./prometheus-text.ts";

/** One labelled sample returned by a callback family. */
export interface LabelledSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NO_LABELS: Labels = Object.freeze({});

/**
 * A counter or gauge whose samples are read from a callback at collection time (a queue depth, a
 * component's own counters). A callback that throws yields no sample (unlabelled: NaN) and is
 * counted in `failures`; the rest of the exposition is unaffected.
 */
export class CallbackFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly labelNames: readonly string[];
  readonly #read: () => number | Iterable<LabelledSample>;
  readonly #header: string;
  readonly #scalarPrefix: string;
  #failures = 0;
  #lastError: string | undefined;

  constructor(
    name: string,
    help: string,
    type: "counter" | "gauge",
    labelNames: readonly string[],
    read: () => number | Iterable<LabelledSample>,
  ) {
    PrometheusText.checkMetricName(name);
    PrometheusText.checkLabelNames(name, labelNames);
    if (typeof read !== "function") {
      throw new DesError(ErrorCode.InvalidConfig, `metric ${name} needs a read callback`, { metric: name });
    }
    this.name = name;
    this.help = help;
    this.type = type;
    this.labelNames = Object.freeze([...labelNames]);
    this.#read = read;
    this.#header = PrometheusText.header(name, help, type);
    this.#scalarPrefix = `${name} `;
  }

  /** Returns how many collections failed because the callback threw or returned the wrong shape. */
  get failures(): number {
    return this.#failures;
  }

  /** Returns the message of the last collection failure. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Returns the current samples, as read from the callback. */
  collect(): Array<{ labels: Labels; value: number }> {
    let result: number | Iterable<LabelledSample>;
    try {
      result = this.#read();
    } catch (thrown) {
      this.#fail(describeThrown(thrown));
      return this.labelNames.length === 0 ? [{ labels: NO_LABELS, value: Number.NaN }] : [];
    }
    if (this.labelNames.length === 0) {
      if (typeof result !== "number") {
        this.#fail(`callback of ${this.name} returned ${typeof result}, expected a number`);
        return [{ labels: NO_LABELS, value: Number.NaN }];
      }
      return [{ labels: NO_LABELS, value: result }];
    }
    if (typeof result === "number" || result === null || typeof result !== "object") {
      this.#fail(`callback of ${this.name} returned ${typeof result}, expected labelled samples`);
      return [];
    }
    const out: Array<{ labels: Labels; value: number }> = [];
    for (const sample of result) {
      if (typeof sample?.value !== "number" || !this.#hasLabels(sample.labels)) {
        this.#fail(
          `callback of ${this.name} returned a sample without labels [${this.labelNames.join(", ")}]`,
        );
        continue;
      }
      out.push({ labels: sample.labels, value: sample.value });
    }
    return out;
  }

  /** Returns the `# HELP`/`# TYPE` header followed by every sample line. */
  renderPrometheus(): string {
    const samples = this.collect();
    let out = this.#header;
    if (this.labelNames.length === 0) {
      return out + this.#scalarPrefix + PrometheusText.formatValue(samples[0]!.value) + "\n";
    }
    const values: string[] = new Array(this.labelNames.length);
    for (const s of samples) {
      for (let i = 0; i < values.length; i++) values[i] = s.labels[this.labelNames[i]!]!;
      out += `${this.name}${PrometheusText.labelSet(this.labelNames, values)} ${PrometheusText.formatValue(s.value)}\n`;
    }
    return out;
  }

  #hasLabels(labels: unknown): labels is Readonly<Record<string, string>> {
    if (labels === null || typeof labels !== "object") return false;
    const record = labels as Record<string, unknown>;
    for (const name of this.labelNames) if (typeof record[name] !== "string") return false;
    return true;
  }

  #fail(message: string): void {
    this.#failures++;
    this.#lastError = message;
  }
}

// core's toError JSON-encodes non-Errors and itself throws on a BigInt or a cycle; a scrape must not.
function describeThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? thrown.message : String(thrown);
  } catch {
    return "the callback threw a value that cannot be printed";
  }
}
