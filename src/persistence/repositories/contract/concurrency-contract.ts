import assert from "node:assert/strict";
import { setImmediate as yieldTurn } from "node:timers/promises";
import { type AccountId, accountId, dec, isDesError } from "../../../core/index.ts";
import { fillRecordOf } from "../index.ts";
import { fillTableCounts } from "./fill-table-counts.ts";
import { BTC, balance, filled, PAPER, position } from "./fixtures.ts";
import type { ContractTest } from "./harness.ts";

/** The UnitOfWork concurrency contract: atomic visibility, serialized runs in call order, isolation of failures. */
export function concurrencyContract(check: ContractTest): void {
  check(
    "unit of work: concurrent units never show half of their writes, and all commit",
    async ({ uow, driver }) => {
      const units = 8;
      const unit = async (i: number) => {
        const account: AccountId = accountId(`acct-${i}`);
        const event = { ...filled(`o${i}`, i, i), accountId: account };
        await uow.run(async (repos) => {
          await repos.fills.append(fillRecordOf(event));
          await yieldTurn();
          await repos.orders.apply(event);
          await yieldTurn();
          await repos.positions.upsert([position(`book-${i}`, "1", i)]);
          await yieldTurn();
          await repos.balances.upsert([balance("BTC", "1", i, account), balance("USDT", "2", i, account)]);
          await yieldTurn();
        });
      };
      let done = false;
      let observations = 0;
      const observe = async () => {
        while (!done) {
          const c = await fillTableCounts(driver);
          assert.ok(
            c.fills === c.orders && c.orders === c.history && c.history === c.positions,
            JSON.stringify(c),
          );
          assert.equal(c.balances, 2 * c.fills, JSON.stringify(c));
          observations++;
          await yieldTurn();
        }
      };
      const observer = observe();
      await Promise.all(Array.from({ length: units }, (_, i) => unit(i)));
      done = true;
      await observer;
      assert.ok(observations > 0);
      assert.deepEqual(await fillTableCounts(driver), {
        fills: 8,
        orders: 8,
        history: 8,
        positions: 8,
        balances: 16,
      });
    },
  );

  check("unit of work: concurrent units run one at a time, in call order", async ({ uow, repos }) => {
    await repos.balances.upsert([balance("X", "0", 0)]);
    const increment = (i: number) =>
      uow.run(async (tx) => {
        const before = await tx.balances.get(PAPER, "X");
        await yieldTurn();
        await tx.balances.upsert([{ ...before!, free: before!.free.add(dec("1")) }]);
        // The first unit started yields the most: it must still commit first.
        for (let n = 0; n < 4 - i; n++) await yieldTurn();
        await tx.positions.upsert([position("s1", String(i), i)]);
      });
    await Promise.all([0, 1, 2, 3].map(increment));
    assert.equal((await repos.balances.get(PAPER, "X"))?.free.toString(), "4", "no lost update");
    assert.equal(
      (await repos.positions.get("s1", BTC))?.quantity.toString(),
      "3",
      "the last started commits last",
    );
  });

  check("unit of work: a run nested in another is refused instead of waiting for itself", async ({ uow }) => {
    await uow.run(async () => {
      await assert.rejects(
        uow.run(async () => 1),
        (e: unknown) => isDesError(e, "DES_ERR_STORE_FAILED"),
      );
    });
    assert.equal(await uow.run(async () => 2), 2);
  });

  check("unit of work: a failing unit does not undo a concurrent one", async ({ uow, driver }) => {
    const good = uow.run(async (repos) => {
      await yieldTurn();
      await repos.fills.append(fillRecordOf(filled("good", 1, 1)));
      await yieldTurn();
      await repos.positions.upsert([position("good", "1", 1)]);
    });
    const bad = uow.run(async (repos) => {
      await repos.fills.append(fillRecordOf(filled("bad", 2, 1)));
      await yieldTurn();
      await repos.positions.upsert([position("bad", "1", 1)]);
      throw new Error("bad unit");
    });
    const [goodResult, badResult] = await Promise.allSettled([good, bad]);
    assert.equal(goodResult.status, "fulfilled");
    assert.equal(badResult.status, "rejected");
    const counts = await fillTableCounts(driver);
    assert.deepEqual([counts.fills, counts.positions], [1, 1]);
    assert.equal((await driver.query("SELECT book_id FROM positions"))[0]?.book_id, "good");
  });
}
