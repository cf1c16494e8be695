import assert from "node:assert/strict";
import { accountId, dec, tradeId } from "../../../core/index.ts";
import { fillRecordOf } from "../fill-repository.ts";
import { DECIMAL_ROWS, filled, hardDecimal, order, PAPER, plain, writeSmallThenBulk } from "./fixtures.ts";
import type { ContractTest } from "./harness.ts";

/** The FillRepository contract: exactly once by (account, trade id), ordering, exact decimals. */
export function fillContract(check: ContractTest): void {
  check("fills: append stores a fill once per (account, trade id)", async ({ repos }) => {
    const fill = fillRecordOf(filled("o1", 42, 1));
    assert.equal(await repos.fills.append(fill), true);
    assert.equal(await repos.fills.append(fill), false);
    assert.equal(await repos.fills.append({ ...fill, quantity: dec("5") }), false, "the first one is kept");
    assert.deepEqual(plain(await repos.fills.get(PAPER, tradeId("42"))), plain(fill));
    const elsewhere = { ...fill, accountId: accountId("binance-main") };
    assert.equal(await repos.fills.append(elsewhere), true, "another account's trade 42 is another fill");
    assert.equal(await repos.fills.get(PAPER, tradeId("43")), undefined);
  });

  check("fills: appendMany skips fills already stored and repeats within the batch", async ({ repos }) => {
    const a = fillRecordOf(filled("o1", 1, 1));
    const b = fillRecordOf(filled("o1", 2, 2));
    const c = fillRecordOf(filled("o2", 3, 3));
    await repos.fills.append(a);
    await repos.fills.appendMany([a, b, b, c]);
    await repos.fills.appendMany(Array.from({ length: DECIMAL_ROWS }, () => c)); // the bulk path too
    await repos.fills.appendMany([]);
    assert.deepEqual(
      (await repos.fills.byAccount(PAPER)).map((f) => f.tradeId),
      ["1", "2", "3"],
    );
  });

  check(
    "fills: byOrder and byAccount are oldest first, then by trade id (code point order)",
    async ({ repos }) => {
      await repos.fills.appendMany(
        [
          filled("o1", "ab", 5),
          filled("o1", "a-b", 5),
          filled("o2", "B", 5),
          filled("o1", "z", 1),
          filled("o2", "10", 9),
          filled("o2", "9", 9),
        ].map(fillRecordOf),
      );
      assert.deepEqual(
        (await repos.fills.byOrder(order("o1"))).map((f) => f.tradeId),
        ["z", "a-b", "ab"],
      );
      assert.deepEqual(
        (await repos.fills.byAccount(PAPER)).map((f) => f.tradeId),
        ["z", "B", "a-b", "ab", "10", "9"],
      );
      assert.deepEqual(await repos.fills.byOrder(order("none")), []);
      assert.deepEqual(await repos.fills.byAccount(accountId("nobody")), []);
    },
  );

  check("fills: quantities, prices and commissions round-trip exactly", async ({ repos }) => {
    const fills = Array.from({ length: DECIMAL_ROWS }, (_, i) => ({
      ...fillRecordOf(filled("o1", `t${i}`, i)),
      quantity: hardDecimal(i),
      price: hardDecimal(i + 1),
      commission: hardDecimal(i + 2),
    }));
    await repos.fills.append(fills[0]!);
    await writeSmallThenBulk(fills.slice(1), (rows) => repos.fills.appendMany(rows));
    const stored = await repos.fills.byOrder(order("o1"));
    assert.deepEqual(plain(stored), plain(fills));
    for (const [i, f] of stored.entries()) assert.equal(f.quantity.units, fills[i]!.quantity.units);
  });

  check(
    "fills: byAccountAfterSeq pages in applied order (seq), not time order; seqOf and maxSeq",
    async ({ repos }) => {
      assert.equal(await repos.fills.maxSeq(), 0);
      // Applied out of time order (same microsecond for two, an older one last): seq is the truth.
      const applied = [
        filled("o1", "t5", 5),
        filled("o2", "t1", 5),
        filled("o1", "t9", 9),
        filled("o2", "t0", 1),
      ];
      await repos.fills.append(fillRecordOf(applied[0]!, 1));
      await repos.fills.appendMany(applied.slice(1).map((f, i) => fillRecordOf(f, i + 2)));
      await repos.fills.append(fillRecordOf(filled("o3", "legacy", 0))); // no seq: never replayed by seq
      const page1 = await repos.fills.byAccountAfterSeq(PAPER, 0, 3);
      assert.deepEqual(
        page1.map((f) => [f.tradeId, f.seq]),
        [
          ["t5", 1],
          ["t1", 2],
          ["t9", 3],
        ],
      );
      const page2 = await repos.fills.byAccountAfterSeq(PAPER, page1.at(-1)!.seq!, 3);
      assert.deepEqual(
        page2.map((f) => [f.tradeId, f.seq]),
        [["t0", 4]],
      );
      assert.deepEqual(await repos.fills.byAccountAfterSeq(accountId("nobody"), 0, 10), []);
      assert.equal(await repos.fills.seqOf(PAPER, tradeId("t9")), 3);
      assert.equal(await repos.fills.seqOf(PAPER, tradeId("legacy")), undefined);
      assert.equal(await repos.fills.seqOf(PAPER, tradeId("none")), undefined);
      assert.equal(await repos.fills.maxSeq(), 4);
    },
  );
}
