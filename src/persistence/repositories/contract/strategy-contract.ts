import assert from "node:assert/strict";
import { strategyId } from "../../../core/index.ts";
import type { Signal } from "../../../model/index.ts";
import type { StrategyInstanceRecord } from "../strategy-instance-repository.ts";
import { at, BTC, S1 } from "./fixtures.ts";
import type { ContractTest } from "./harness.ts";

/** A JSON document with what text round-trips tend to break: unicode, quotes, big and tiny numbers. */
const AWKWARD_JSON = {
  name: 'grid "Δ" – 🚀',
  nested: { levels: [1, 2.5, -0.000001, 1e21], on: true, none: null },
  price: "27123.450000000000000001",
  empty: {},
};

function instance(id: string, status: StrategyInstanceRecord["status"] = "CREATED"): StrategyInstanceRecord {
  return {
    strategyId: strategyId(id),
    kind: "ma_cross",
    instrumentId: BTC,
    config: { interval: "1m", fast: 10, slow: 30 },
    params: { fast: 10, slow: 30 },
    status,
    updatedAt: at(1),
  };
}

/** The contracts of strategy instances, strategy state, signals and risk counters. */
export function strategyContract(check: ContractTest): void {
  check("strategy instances: upsert, get, all by id, setStatus and setParams", async ({ repos }) => {
    const repo = repos.strategyInstances;
    await repo.upsert(instance("s2"));
    await repo.upsert({ ...instance("s1"), config: AWKWARD_JSON });
    await repo.upsert(instance("S3", "RUNNING"));
    assert.deepEqual(await repo.get(S1), { ...instance("s1"), config: AWKWARD_JSON });
    assert.deepEqual(
      (await repo.all()).map((i) => i.strategyId),
      ["S3", "s1", "s2"],
    );
    assert.equal(await repo.setStatus(S1, "PAUSED", at(5)), true);
    assert.equal(await repo.setParams(S1, { fast: 12, slow: 40 }, at(6)), true);
    const changed = await repo.get(S1);
    assert.equal(changed?.status, "PAUSED");
    assert.deepEqual(changed?.params, { fast: 12, slow: 40 });
    assert.deepEqual(changed?.config, AWKWARD_JSON, "config untouched");
    assert.equal(changed?.updatedAt, at(6));
    assert.equal(await repo.setStatus(strategyId("nope"), "RUNNING", at(7)), false);
    assert.equal(await repo.setParams(strategyId("nope"), {}, at(7)), false);
    assert.equal(await repo.get(strategyId("nope")), undefined);
    await repo.upsert(instance("s1", "STOPPED"));
    assert.deepEqual(await repo.get(S1), instance("s1", "STOPPED"));
  });

  check("strategy state: save replaces, load returns it, undefined when never saved", async ({ repos }) => {
    const repo = repos.strategyState;
    assert.equal(await repo.load(S1), undefined);
    await repo.save(S1, { lastCross: "up" }, at(1));
    await repo.save(S1, AWKWARD_JSON, at(2));
    assert.deepEqual(await repo.load(S1), AWKWARD_JSON);
    await repo.save(strategyId("s2"), undefined, at(3));
    assert.equal(await repo.load(strategyId("s2")), null, "undefined is saved as null");
    await repo.save(strategyId("s3"), [1, "two"], at(3));
    assert.deepEqual(await repo.load(strategyId("s3")), [1, "two"]);
  });

  check("signals: append in bulk; recent is newest first, per strategy, limited", async ({ repos }) => {
    const signal = (id: string, ts: number, reason: string): Signal => ({
      kind: "Signal",
      strategyId: strategyId(id),
      instrumentId: BTC,
      action: ts % 3 === 0 ? "HOLD" : ts % 3 === 1 ? "BUY" : "SELL",
      reason,
      ts: at(ts),
    });
    const many = Array.from({ length: 1203 }, (_, i) => signal("s1", i, `r${i}`));
    await repos.signals.append(many);
    await repos.signals.append([signal("s2", 5000, "other"), signal("s1", 1202, "same-ts-later")]);
    await repos.signals.append([]);
    const recent = await repos.signals.recent(S1, 3);
    assert.deepEqual(
      recent.map((s) => s.reason),
      ["same-ts-later", "r1202", "r1201"],
    );
    assert.deepEqual(recent[1], many[1202]);
    assert.equal((await repos.signals.recent(S1, 10_000)).length, 1204);
    assert.deepEqual(
      (await repos.signals.recent(strategyId("s2"), 5)).map((s) => s.reason),
      ["other"],
    );
    assert.deepEqual(await repos.signals.recent(S1, 0), []);
  });

  check("risk counters: save replaces a scope's snapshot and day; load and all", async ({ repos }) => {
    const repo = repos.riskCounters;
    await repo.save({ scope: "global", day: "2024-01-01", snapshot: { trades: 3 }, updatedAt: at(1) });
    await repo.save({ scope: "s1", day: "2024-01-01", snapshot: AWKWARD_JSON, updatedAt: at(1) });
    await repo.save({ scope: "global", day: "2024-01-02", snapshot: { trades: 0 }, updatedAt: at(2) });
    assert.deepEqual(await repo.load("global"), {
      scope: "global",
      day: "2024-01-02",
      snapshot: { trades: 0 },
      updatedAt: at(2),
    });
    assert.equal(await repo.load("nope"), undefined);
    assert.deepEqual(
      (await repo.all()).map((r) => [r.scope, r.day]),
      [
        ["global", "2024-01-02"],
        ["s1", "2024-01-01"],
      ],
    );
    assert.deepEqual((await repo.load("s1"))?.snapshot, AWKWARD_JSON);
  });
}
