import assert from "node:assert/strict";
import { isDesError, tradeId } from "../../../core/index.ts";
import { type BalanceRecord, fillRecordOf, recordFill } from "../index.ts";
import { fillTableCounts } from "./fill-table-counts.ts";
import { BTC, balance, filled, order, PAPER, plain, position } from "./fixtures.ts";
import type { ContractTest } from "./harness.ts";

const NOTHING = { fills: 0, orders: 0, history: 0, positions: 0, balances: 0 };

/** The UnitOfWork contract: all or nothing, exactly-once fills, ended units refused. */
export function unitOfWorkContract(check: ContractTest): void {
  check(
    "unit of work: recordFill writes fill, order, history, position and balances",
    async ({ uow, repos }) => {
      const event = filled("o1", 77, 5);
      const update = {
        event,
        position: position("s1", "0.001", 5),
        balances: [balance("BTC", "0.001", 5), balance("USDT", "972.88", 5)],
      };
      assert.equal(await recordFill(uow, update), true);
      assert.deepEqual(plain(await repos.fills.get(PAPER, tradeId("77"))), plain(fillRecordOf(event)));
      assert.equal((await repos.orders.get(order("o1")))?.status, "FILLED");
      assert.equal((await repos.orders.history(order("o1"))).length, 1);
      assert.deepEqual(plain(await repos.positions.get("s1", BTC)), plain(update.position));
      assert.deepEqual(plain(await repos.balances.byAccount(PAPER)), plain(update.balances));
    },
  );

  check(
    "unit of work: a fill recorded twice writes nothing the second time",
    async ({ uow, repos, driver }) => {
      const update = {
        event: filled("o1", 77, 5),
        position: position("s1", "0.001", 5),
        balances: [balance("BTC", "0.001", 5)],
      };
      assert.equal(await recordFill(uow, update), true);
      const replay = {
        ...update,
        position: position("s1", "0.002", 6),
        balances: [balance("BTC", "0.002", 6)],
      };
      assert.equal(await recordFill(uow, replay), false);
      assert.equal((await repos.positions.get("s1", BTC))?.quantity.toString(), "0.001");
      assert.equal((await repos.balances.get(PAPER, "BTC"))?.free.toString(), "0.001");
      assert.deepEqual(await fillTableCounts(driver), {
        fills: 1,
        orders: 1,
        history: 1,
        positions: 1,
        balances: 1,
      });
    },
  );

  check("unit of work: a failing statement in the middle leaves nothing written", async ({ uow, driver }) => {
    const broken = { ...balance("USDT", "1", 5), asset: null } as unknown as BalanceRecord;
    const update = {
      event: filled("o1", 77, 5),
      position: position("s1", "1", 5),
      balances: [balance("BTC", "1", 5), broken],
    };
    await assert.rejects(recordFill(uow, update), (e: unknown) => isDesError(e, "DES_ERR_STORE_FAILED"));
    assert.deepEqual(await fillTableCounts(driver), NOTHING);
    assert.equal(
      await recordFill(uow, { ...update, balances: [balance("BTC", "1", 5)] }),
      true,
      "then it works",
    );
  });

  check(
    "unit of work: an error thrown by the work rolls back and is rethrown as is",
    async ({ uow, driver }) => {
      const failure = new Error("portfolio check failed");
      await assert.rejects(
        uow.run(async (repos) => {
          await repos.fills.append(fillRecordOf(filled("o1", 1, 1)));
          await repos.orders.apply(filled("o1", 1, 1));
          assert.equal((await repos.fills.byOrder(order("o1"))).length, 1, "sees its own writes");
          throw failure;
        }),
        (e: unknown) => e === failure,
      );
      assert.deepEqual(await fillTableCounts(driver), NOTHING);
      assert.equal(await uow.run(async (repos) => repos.orders.count()), 0, "returns the work's value");
    },
  );

  check("unit of work: its repositories are refused once it has ended", async ({ uow }) => {
    let kept: Parameters<Parameters<typeof uow.run>[0]>[0] | undefined;
    await uow.run(async (repos) => {
      kept = repos;
    });
    await assert.rejects(kept!.orders.count(), (e: unknown) => isDesError(e, "DES_ERR_STORE_FAILED"));
  });
}
