import assert from "node:assert/strict";
import { test } from "node:test";
import { builtinRegistry } from "./builtin-registry.ts";

test("the built-in registry holds the five built-ins, each loadable in worker mode", async () => {
  const registry = builtinRegistry();
  assert.deepEqual(registry.names(), ["bollinger", "dca", "grid", "ma_cross", "rsi"]);
  for (const name of registry.names()) {
    const entry = registry.resolve(name);
    assert.ok(entry.workerModule !== undefined, `${name} has a worker module`);
    const mod = (await import(entry.workerModule.url)) as Record<string, unknown>;
    assert.equal(
      mod[entry.workerModule.exportName],
      entry.definition,
      `${name}: the worker loads the same definition`,
    );
  }
});
