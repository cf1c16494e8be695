import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isDesError, TestClock } from "../core/index.ts";
import { MetricName } from "./metric-name.ts";
import { MetricsRegistry } from "./metrics-registry.ts";
import { RuntimeMetrics } from "./runtime-metrics.ts";

function gaugeValue(registry: MetricsRegistry, name: string): number {
  const samples = registry.toJSON().gauges[name];
  assert.ok(samples !== undefined && samples.length === 1, `gauge ${name} is registered`);
  return samples[0]!.value;
}

describe("RuntimeMetrics", () => {
  test("registers every runtime metric", () => {
    const registry = new MetricsRegistry();
    new RuntimeMetrics(registry, { clock: new TestClock() });
    for (const name of [
      MetricName.ProcessUptime,
      MetricName.EventLoopLagMin,
      MetricName.EventLoopLagMean,
      MetricName.EventLoopLagMax,
      MetricName.EventLoopLagP50,
      MetricName.EventLoopLagP90,
      MetricName.EventLoopLagP99,
      MetricName.EventLoopUtilization,
      MetricName.HeapUsed,
      MetricName.HeapTotal,
      MetricName.Rss,
      MetricName.ActiveResources,
    ]) {
      assert.ok(registry.get(name) !== undefined, `${name} registered`);
    }
    assert.ok(gaugeValue(registry, MetricName.ProcessUptime) > 0);
  });

  test("start samples memory at once; every interval of the clock samples again; stop ends it", () => {
    const registry = new MetricsRegistry();
    const clock = new TestClock();
    const runtime = new RuntimeMetrics(registry, { clock, sampleIntervalMs: 1000 });
    assert.equal(gaugeValue(registry, MetricName.HeapUsed), 0, "nothing sampled before start");
    runtime.start();
    assert.ok(runtime.running);
    const heapUsed = gaugeValue(registry, MetricName.HeapUsed);
    assert.ok(heapUsed > 0);
    assert.ok(gaugeValue(registry, MetricName.HeapTotal) >= heapUsed);
    assert.ok(gaugeValue(registry, MetricName.Rss) > 0);
    const utilization = gaugeValue(registry, MetricName.EventLoopUtilization);
    assert.ok(utilization >= 0 && utilization <= 1);

    const rss = registry.gauge(MetricName.Rss, "Resident set size of the process, in bytes.");
    rss.set(-1);
    clock.advance(999);
    assert.equal(rss.value, -1, "no sample before the interval elapses");
    clock.advance(1);
    assert.ok(rss.value > 0, "sampled when the interval elapsed");

    runtime.start();
    assert.equal(clock.pendingTimers, 1, "a second start does not add a timer");
    runtime.stop();
    assert.ok(!runtime.running);
    assert.equal(clock.pendingTimers, 0);
    rss.set(-1);
    clock.advance(5000);
    assert.equal(rss.value, -1, "no sampling after stop");
  });

  test("two instances on one registry share the same gauges", () => {
    const registry = new MetricsRegistry();
    new RuntimeMetrics(registry, { clock: new TestClock() });
    assert.doesNotThrow(() => new RuntimeMetrics(registry, { clock: new TestClock() }));
  });

  test("bad options are rejected with a clear error", () => {
    assert.throws(
      () => new RuntimeMetrics(new MetricsRegistry(), { sampleIntervalMs: 0 }),
      (e: unknown) => isDesError(e) && /sampleIntervalMs must be a positive integer/.test(e.message),
    );
  });
});
