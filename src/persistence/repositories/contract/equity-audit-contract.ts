import assert from "node:assert/strict";
import { dec } from "../../../core/index.ts";
import type { AuditEventRecord } from "../audit-repository.ts";
import type { EquitySnapshotRecord } from "../equity-snapshot-repository.ts";
import { at, DECIMAL_ROWS, hardDecimal, plain, writeSmallThenBulk } from "./fixtures.ts";
import type { ContractTest } from "./harness.ts";

function snapshot(book: string, ts: number, equity = "1000"): EquitySnapshotRecord {
  return {
    bookId: book,
    ts: at(ts),
    equity: dec(equity),
    realized: dec("-0.000000000000000001"),
    unrealized: dec("12.5"),
    fees: dec("0.1"),
  };
}

function audit(id: string, ts: number, subject: string): AuditEventRecord {
  return {
    eventId: id,
    ts: at(ts),
    actor: "api:operator",
    action: "strategy.pause",
    subject,
    detail: { id },
  };
}

/** The EquitySnapshotRepository and AuditRepository contracts. */
export function equityAuditContract(check: ContractTest): void {
  check(
    "equity: append is idempotent per (book, ts); range is inclusive and oldest first",
    async ({ repos }) => {
      await repos.equity.append([
        snapshot("s1", 30),
        snapshot("s1", 10),
        snapshot("s2", 20),
        snapshot("s1", 20),
      ]);
      await repos.equity.append([snapshot("s1", 20, "999"), snapshot("s1", 40)]);
      await repos.equity.append([]);
      const range = await repos.equity.range("s1", at(10), at(30));
      assert.deepEqual(
        range.map((s) => [s.ts, s.equity.toString()]),
        [
          [at(10), "1000"],
          [at(20), "1000"],
          [at(30), "1000"],
        ],
      );
      assert.deepEqual(plain(range[0]), plain(snapshot("s1", 10)));
      assert.deepEqual(await repos.equity.range("s1", at(11), at(19)), []);
      assert.equal((await repos.equity.latest("s1"))?.ts, at(40));
      assert.equal(await repos.equity.latest("none"), undefined);
    },
  );

  check("equity: decimals round-trip exactly", async ({ repos }) => {
    const snapshots = Array.from({ length: DECIMAL_ROWS }, (_, i) => ({
      ...snapshot("s1", i, hardDecimal(i).toString()),
      realized: hardDecimal(i + 1),
      unrealized: hardDecimal(i + 2),
      fees: hardDecimal(i + 3),
    }));
    await writeSmallThenBulk(snapshots, (rows) => repos.equity.append(rows));
    assert.deepEqual(plain(await repos.equity.range("s1", at(0), at(1000))), plain(snapshots));
  });

  check(
    "audit: append is idempotent by event id; recent newest first; bySubject oldest first",
    async ({ repos }) => {
      await repos.audit.append([audit("e1", 1, "s1"), audit("e3", 3, "risk"), audit("e2", 2, "s1")]);
      await repos.audit.append([{ ...audit("e1", 9, "s9"), detail: "replaced?" }, audit("e4b", 4, "s1")]);
      await repos.audit.append([audit("e4a", 4, "s1")]);
      await repos.audit.append([]);
      assert.deepEqual(
        (await repos.audit.recent(3)).map((e) => e.eventId),
        ["e4b", "e4a", "e3"],
      );
      assert.equal((await repos.audit.recent(100)).length, 5);
      const s1 = await repos.audit.bySubject("s1");
      assert.deepEqual(
        s1.map((e) => e.eventId),
        ["e1", "e2", "e4a", "e4b"],
      );
      assert.deepEqual(s1[0], audit("e1", 1, "s1"), "the first e1 is kept");
      assert.deepEqual(await repos.audit.bySubject("nobody"), []);
    },
  );
}
