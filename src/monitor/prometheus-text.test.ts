import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isDesError } from "../core/index.ts";
import { PrometheusText } from "./prometheus-text.ts";

describe("PrometheusText", () => {
  test("escapes label values: backslash, double quote and line feed", () => {
    assert.equal(PrometheusText.escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(PrometheusText.escapeLabelValue("plain"), "plain");
  });

  test("escapes HELP text: backslash and line feed, quotes stay", () => {
    assert.equal(PrometheusText.escapeHelp('say "hi"\\\n'), 'say "hi"\\\\\\n');
  });

  test("formats special values as Prometheus spells them", () => {
    assert.equal(PrometheusText.formatValue(Number.NaN), "NaN");
    assert.equal(PrometheusText.formatValue(Number.POSITIVE_INFINITY), "+Inf");
    assert.equal(PrometheusText.formatValue(Number.NEGATIVE_INFINITY), "-Inf");
    assert.equal(PrometheusText.formatValue(1.5), "1.5");
    assert.equal(PrometheusText.formatValue(-0.25), "-0.25");
  });

  test("renders label sets", () => {
    assert.equal(PrometheusText.labelSet([], []), "");
    assert.equal(PrometheusText.labelSet(["a", "b"], ["x", 'y"']), '{a="x",b="y\\""}');
  });

  test("checks metric names", () => {
    for (const ok of ["des_x_total", "a:b", "_x"])
      assert.doesNotThrow(() => PrometheusText.checkMetricName(ok));
    for (const bad of ["", "1x", "des-x", "des x", "dés"]) {
      assert.throws(
        () => PrometheusText.checkMetricName(bad),
        (e: unknown) => isDesError(e),
        bad,
      );
    }
  });
});
