import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { isDesError } from "../core/index.ts";
import { MetricName } from "./metric-name.ts";
import { MetricsRegistry } from "./metrics-registry.ts";

interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

interface ParsedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly samples: ParsedSample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const VALUE = "(?:NaN|[+-]Inf|[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)";
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{(${LABEL}(?:,${LABEL})*)?\\})? (${VALUE})$`);
const HELP_LINE = new RegExp(`^# HELP (${NAME}) ((?:[^\\\\\\n]|\\\\[\\\\n])*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|summary|histogram|untyped)$`);

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/**
 * A strict reader of the Prometheus text format: every line is HELP, TYPE or a sample; each family
 * has HELP then TYPE before its samples and appears once; samples belong to the current family
 * (a summary may add _sum and _count); the text ends with a line feed.
 */
function parsePrometheus(text: string): Map<string, ParsedFamily> {
  assert.ok(text.endsWith("\n"), "exposition must end with a line feed");
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | undefined;
  let pendingHelp: { name: string; help: string } | undefined;
  const lines = text.slice(0, -1).split("\n");
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    const help = HELP_LINE.exec(line);
    if (help !== null) {
      assert.equal(pendingHelp, undefined, `${where}: HELP twice`);
      assert.ok(!families.has(help[1]!), `${where}: family ${help[1]} appears twice`);
      pendingHelp = { name: help[1]!, help: help[2]! };
      continue;
    }
    const type = TYPE_LINE.exec(line);
    if (type !== null) {
      assert.ok(pendingHelp !== undefined && pendingHelp.name === type[1], `${where}: TYPE without HELP`);
      current = { name: type[1]!, help: pendingHelp.help, type: type[2]!, samples: [] };
      families.set(current.name, current);
      pendingHelp = undefined;
      continue;
    }
    const sample = SAMPLE_LINE.exec(line);
    assert.ok(sample !== null, `${where}: not a HELP, TYPE or sample line`);
    assert.ok(current !== undefined && pendingHelp === undefined, `${where}: sample before HELP and TYPE`);
    const name = sample[1]!;
    const allowed =
      current.type === "summary"
        ? [current.name, `${current.name}_sum`, `${current.name}_count`]
        : [current.name];
    assert.ok(allowed.includes(name), `${where}: sample ${name} outside family ${current.name}`);
    const labels: Record<string, string> = {};
    if (sample[2] !== undefined) {
      for (const m of sample[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/g)) {
        assert.ok(!(m[1]! in labels), `${where}: label ${m[1]} repeated`);
        labels[m[1]!] = unescapeLabel(m[2]!);
      }
    }
    const raw = sample[3]!;
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    current.samples.push({ name, labels, value });
  }
  assert.equal(pendingHelp, undefined, "HELP without TYPE at the end");
  return families;
}

describe("MetricsRegistry", () => {
  test("counters count, labelled children are cached and independent", () => {
    const r = new MetricsRegistry();
    const c = r.counter("des_ticks_processed_total", "Ticks.", ["strategy"]);
    const a = c.labels({ strategy: "a" });
    a.inc();
    a.inc(2.5);
    c.labels({ strategy: "b" }).inc();
    assert.equal(c.labels({ strategy: "a" }), a);
    assert.equal(a.value, 3.5);
    assert.equal(c.labels({ strategy: "b" }).value, 1);
    const plain = r.counter("des_plain_total", "Plain.");
    plain.inc();
    assert.equal(plain.value, 1);
  });

  test("multi-label children are found again, whatever the key order, and numbers equal their strings", () => {
    const r = new MetricsRegistry();
    const c = r.counter("des_signals_total", "Signals.", ["strategy", "action"]);
    const child = c.labels({ strategy: "s1", action: "BUY" });
    assert.equal(c.labels({ action: "BUY", strategy: "s1" }), child);
    assert.notEqual(c.labels({ strategy: "s1", action: "SELL" }), child);
    const byNumber = r.gauge("des_g", "G.", ["shard"]).labels({ shard: 3 });
    assert.equal(r.gauge("des_g", "G.", ["shard"]).labels({ shard: "3" }), byNumber);
    assert.equal(c.children().length, 2);
  });

  test("a counter refuses to go down", () => {
    const c = new MetricsRegistry().counter("des_c_total", "C.");
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => c.inc(bad),
        (e: unknown) => isDesError(e) && e.message.includes("des_c_total"),
      );
    }
    assert.equal(c.value, 0);
  });

  test("gauges set, inc and dec", () => {
    const g = new MetricsRegistry().gauge("des_queue_depth", "Depth.", ["lane"]);
    const normal = g.labels({ lane: "normal" });
    normal.set(10);
    normal.inc();
    normal.dec(3);
    assert.equal(normal.value, 8);
  });

  test("gaugeFn reads its callback at collection time", () => {
    const r = new MetricsRegistry();
    let depth = 1;
    r.gaugeFn("des_depth", "Depth.", () => depth);
    depth = 7;
    assert.deepEqual(r.toJSON().gauges["des_depth"], [{ labels: {}, value: 7 }]);
    depth = 9;
    assert.equal(parsePrometheus(r.toPrometheus()).get("des_depth")!.samples[0]!.value, 9);
  });

  test("a throwing callback yields NaN, is counted, and does not break the exposition", () => {
    const r = new MetricsRegistry();
    r.gaugeFn("des_broken", "Broken.", () => {
      throw new Error("boom");
    });
    r.gaugeFn("des_broken_bigint", "Throws a BigInt.", () => {
      throw 1n;
    });
    r.gaugeFn("des_broken_bare", "Throws an object without a prototype.", () => {
      throw Object.create(null);
    });
    r.counter("des_fine_total", "Fine.").inc();
    const families = parsePrometheus(r.toPrometheus());
    assert.ok(Number.isNaN(families.get("des_broken")!.samples[0]!.value));
    assert.ok(Number.isNaN(families.get("des_broken_bigint")!.samples[0]!.value));
    assert.equal(families.get("des_fine_total")!.samples[0]!.value, 1);
    assert.equal(families.get(MetricName.MetricsCollectFailures)!.samples[0]!.value, 3);
    assert.equal(r.toJSON().counters[MetricName.MetricsCollectFailures]![0]!.value, 6);
    const broken = r.get("des_broken");
    assert.ok(broken !== undefined && "lastError" in broken);
    assert.equal(broken.lastError, "boom");
  });

  test("samplesFn exposes labelled samples from a callback and skips malformed ones", () => {
    const r = new MetricsRegistry();
    r.samplesFn("des_bus_published_total", "Published.", "counter", ["topic"], () => [
      { labels: { topic: "market.bar" }, value: 3 },
      { labels: {}, value: 1 } as never,
    ]);
    const family = parsePrometheus(r.toPrometheus()).get("des_bus_published_total")!;
    assert.equal(family.type, "counter");
    assert.deepEqual(family.samples, [
      { name: "des_bus_published_total", labels: { topic: "market.bar" }, value: 3 },
    ]);
    assert.equal(r.toJSON().counters[MetricName.MetricsCollectFailures]![0]!.value, 2);
  });

  test("labels are checked: missing, unknown, wrong type, or used on an unlabelled metric", () => {
    const r = new MetricsRegistry();
    const c = r.counter("des_x_total", "X.", ["strategy"]);
    const cases: Array<[() => unknown, RegExp]> = [
      [() => c.labels({}), /label strategy of metric des_x_total must be a string/],
      [() => c.labels({ strategy: "a", extra: "b" }), /unknown label "extra"/],
      [() => c.labels({ strategy: true as unknown as string }), /must be a string or a finite number/],
      [() => c.inc(), /has labels \[strategy\]; use \.labels/],
      [() => r.counter("des_y_total", "Y.").labels({ a: "b" }), /has no labels/],
      [() => c.labels(null as never), /must be an object/],
    ];
    for (const [call, message] of cases) {
      assert.throws(call, (e: unknown) => isDesError(e) && message.test(e.message), String(message));
    }
  });

  test("names are checked and re-registration returns the same metric only when it matches", () => {
    const r = new MetricsRegistry();
    assert.throws(
      () => r.counter("des-bad", "Bad."),
      (e: unknown) => isDesError(e) && /invalid metric name/.test(e.message),
    );
    assert.throws(
      () => r.counter("des_ok_total", "Ok.", ["__x"]),
      (e: unknown) => isDesError(e),
    );
    assert.throws(
      () => r.counter("des_ok_total", "Ok.", ["a", "a"]),
      (e: unknown) => isDesError(e) && /repeated/.test(e.message),
    );
    const c = r.counter("des_c_total", "C.", ["a"]);
    assert.equal(r.counter("des_c_total", "C.", ["a"]), c);
    assert.throws(
      () => r.gauge("des_c_total", "C."),
      (e: unknown) => isDesError(e) && /already registered/.test(e.message),
    );
    assert.throws(
      () => r.counter("des_c_total", "C.", ["b"]),
      (e: unknown) => isDesError(e),
    );
    r.histogram("des_lat_us", "Latency.");
    assert.throws(
      () => r.counter("des_lat_us_count", "Clash."),
      (e: unknown) => isDesError(e) && /already exposes/.test(e.message),
    );
    r.gaugeFn("des_fn", "Fn.", () => 1);
    assert.throws(
      () => r.gaugeFn("des_fn", "Fn.", () => 2),
      (e: unknown) => isDesError(e),
    );
  });

  test("a family refuses more label combinations than its limit", () => {
    const r = new MetricsRegistry({ maxSeriesPerMetric: 2 });
    const c = r.counter("des_x_total", "X.", ["id"]);
    c.labels({ id: "1" });
    c.labels({ id: "2" });
    assert.equal(c.labels({ id: "1" }), c.children()[0]);
    assert.throws(
      () => c.labels({ id: "3" }),
      (e: unknown) => isDesError(e) && /limit of 2/.test(e.message),
    );
  });

  test("toJSON groups counters, gauges and histograms by name with their labels", () => {
    const r = new MetricsRegistry();
    r.counter("des_ticks_processed_total", "Ticks.", ["strategy"]).labels({ strategy: "a" }).inc(4);
    r.gauge("des_strategies", "Strategies.", ["status"]).labels({ status: "RUNNING" }).set(2);
    const h = r.histogram("des_strategy_latency_us", "Latency.", { labelNames: ["strategy"] });
    for (const v of [10, 20, 30]) h.labels({ strategy: "a" }).record(v);
    const json = r.toJSON();
    assert.deepEqual(json.counters["des_ticks_processed_total"], [{ labels: { strategy: "a" }, value: 4 }]);
    assert.deepEqual(json.gauges["des_strategies"], [{ labels: { status: "RUNNING" }, value: 2 }]);
    assert.deepEqual(json.histograms["des_strategy_latency_us"], [
      {
        labels: { strategy: "a" },
        count: 3,
        sum: 60,
        min: 10,
        max: 30,
        mean: 20,
        p50: 20,
        p90: 30,
        p99: 30,
        p999: 30,
        clamped: 0,
        rejected: 0,
      },
    ]);
    assert.deepEqual(JSON.parse(JSON.stringify(json)), json, "the snapshot is plain JSON");
  });

  test("Prometheus text: HELP and TYPE precede samples, summaries carry quantiles, _sum and _count", () => {
    const r = new MetricsRegistry();
    r.counter("des_ticks_processed_total", "Ticks seen.\nSecond line with \\ backslash.", ["strategy"])
      .labels({ strategy: "ma" })
      .inc(3);
    r.gauge("des_temp", "Temperature.").set(Number.NEGATIVE_INFINITY);
    r.gauge("des_unused", "Never set.", ["x"]);
    const h = r.histogram("des_strategy_latency_us", "Latency.", { labelNames: ["strategy"] });
    for (let v = 1; v <= 100; v++) h.labels({ strategy: "ma" }).record(v);
    r.histogram("des_empty_us", "Empty.");
    const families = parsePrometheus(r.toPrometheus());

    const ticks = families.get("des_ticks_processed_total")!;
    assert.equal(ticks.type, "counter");
    assert.equal(ticks.help, "Ticks seen.\\nSecond line with \\\\ backslash.");
    assert.deepEqual(ticks.samples, [
      { name: "des_ticks_processed_total", labels: { strategy: "ma" }, value: 3 },
    ]);
    assert.equal(families.get("des_temp")!.samples[0]!.value, Number.NEGATIVE_INFINITY);
    assert.deepEqual(families.get("des_unused")!.samples, []);

    const latency = families.get("des_strategy_latency_us")!;
    assert.equal(latency.type, "summary");
    assert.deepEqual(
      latency.samples.map((s) => [s.name, s.labels["quantile"], s.value]),
      [
        ["des_strategy_latency_us", "0.5", 50],
        ["des_strategy_latency_us", "0.9", 90],
        ["des_strategy_latency_us", "0.99", 99],
        ["des_strategy_latency_us", "0.999", 100],
        ["des_strategy_latency_us_sum", undefined, 5050],
        ["des_strategy_latency_us_count", undefined, 100],
      ],
    );
    assert.ok(latency.samples.every((s) => s.labels["strategy"] === "ma"));
    const empty = families.get("des_empty_us")!.samples;
    assert.ok(empty.slice(0, 4).every((s) => Number.isNaN(s.value)));
    assert.deepEqual(
      empty.slice(4).map((s) => s.value),
      [0, 0],
    );
  });

  test("Prometheus text: any label value round-trips through escaping", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 30 }),
        fc.string({ maxLength: 30 }),
        (value, help) => {
          const r = new MetricsRegistry();
          r.counter("des_x_total", help, ["v"]).labels({ v: value }).inc();
          r.histogram("des_y_us", help, { labelNames: ["v"] })
            .labels({ v: value })
            .record(1);
          const families = parsePrometheus(r.toPrometheus());
          assert.equal(families.get("des_x_total")!.samples[0]!.labels["v"], value);
          assert.ok(families.get("des_y_us")!.samples.every((s) => s.labels["v"] === value));
          assert.equal(unescapeLabel(families.get("des_x_total")!.help), help);
        },
      ),
      { numRuns: 200 },
    );
  });
});
