import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode, isDesError } from "../core/index.ts";
import { StrategyRegistry } from "./strategy-registry.ts";
import { countDefinition, crossDefinition, TEST_STRATEGIES_URL } from "./test-support/test-strategies.ts";

test("resolves registered definitions by name, with their worker module", () => {
  const r = new StrategyRegistry()
    .register(crossDefinition)
    .register(countDefinition, { url: TEST_STRATEGIES_URL, exportName: "countDefinition" });
  assert.equal(r.resolve("test_cross").definition, crossDefinition);
  assert.equal(r.resolve("test_cross").workerModule, undefined);
  assert.equal(r.resolve("test_count").workerModule?.exportName, "countDefinition");
  assert.deepEqual(r.names(), ["test_count", "test_cross"]);
});

test("an unknown name is DES_ERR_UNKNOWN_STRATEGY listing the known ones", () => {
  const r = new StrategyRegistry().register(crossDefinition);
  assert.throws(
    () => r.resolve("ma_crossx"),
    (e: unknown) =>
      isDesError(e, ErrorCode.UnknownStrategy) && /ma_crossx/.test(e.message) && /test_cross/.test(e.message),
  );
  assert.equal(r.get("ma_crossx"), undefined);
});

test("a duplicate name or a malformed worker module is refused", () => {
  const r = new StrategyRegistry().register(crossDefinition);
  assert.throws(
    () => r.register(crossDefinition),
    (e: unknown) => isDesError(e, ErrorCode.InvalidConfig),
  );
  assert.throws(
    () => new StrategyRegistry().register(countDefinition, { url: "./relative.ts", exportName: "x" }),
    (e: unknown) => isDesError(e, ErrorCode.InvalidConfig) && /file: URL/.test(e.message),
  );
});
