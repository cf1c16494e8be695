import assert from "node:assert/strict";
import { accountId, dec } from "../../../core/index.ts";
import {
  at,
  BTC,
  balance,
  DECIMAL_ROWS,
  ETH,
  hardDecimal,
  PAPER,
  plain,
  position,
  writeSmallThenBulk,
} from "./fixtures.ts";
import type { ContractTest } from "./harness.ts";

/** The PositionRepository and BalanceRepository contracts: upserts, ordering, exact decimals. */
export function positionBalanceContract(check: ContractTest): void {
  check("positions: upsert inserts and replaces one row per (book, instrument)", async ({ repos }) => {
    await repos.positions.upsert([
      position("s1", "1", 1),
      position("s1", "2", 1, ETH),
      position("s0", "3", 1),
    ]);
    await repos.positions.upsert([position("s1", "-0.5", 2)]);
    assert.deepEqual(plain(await repos.positions.get("s1", BTC)), plain(position("s1", "-0.5", 2)));
    assert.equal(await repos.positions.get("s2", BTC), undefined);
    assert.deepEqual(
      (await repos.positions.byBook("s1")).map((p) => [p.instrumentId, p.quantity.toString()]),
      [
        [BTC, "-0.5"],
        [ETH, "2"],
      ],
    );
    assert.deepEqual(
      (await repos.positions.all()).map((p) => `${p.bookId}/${p.instrumentId}`),
      ["s0/BTCUSDT", "s1/BTCUSDT", "s1/ETHUSDT"],
    );
    assert.deepEqual(await repos.positions.byBook("none"), []);
  });

  check(
    "positions: the last snapshot of a key in one batch wins; fees keep every asset",
    async ({ repos }) => {
      await repos.positions.upsert([position("s1", "1", 1), position("s1", "7", 2), position("s1", "3", 3)]);
      const stored = await repos.positions.get("s1", BTC);
      assert.equal(stored?.quantity.toString(), "3");
      const bulk = Array.from({ length: DECIMAL_ROWS }, (_, i) => position("s2", String(i), i));
      await repos.positions.upsert(bulk);
      assert.equal((await repos.positions.get("s2", BTC))?.quantity.toString(), String(DECIMAL_ROWS - 1));
      assert.equal(stored?.updatedAt, at(3));
      assert.deepEqual(plain(stored?.fees), { BNB: "0.000001", USDT: "0.02712345" });
      await repos.positions.upsert([{ ...position("s1", "0", 4), fees: {} }]);
      assert.deepEqual((await repos.positions.get("s1", BTC))?.fees, {});
    },
  );

  check("positions: decimals round-trip exactly", async ({ repos }) => {
    const positions = Array.from({ length: DECIMAL_ROWS }, (_, i) => ({
      ...position(`book-${String(i).padStart(2, "0")}`, hardDecimal(i).toString(), i),
      averagePrice: hardDecimal(i + 3),
      realizedPnl: hardDecimal(i + 5),
      fees: { USDT: hardDecimal(i), BTC: hardDecimal(i + 1) },
    }));
    await writeSmallThenBulk(positions, (rows) => repos.positions.upsert(rows));
    assert.deepEqual(plain(await repos.positions.all()), plain(positions));
  });

  check("balances: upsert per (account, asset); byAccount by asset", async ({ repos }) => {
    const other = accountId("binance-main");
    await repos.balances.upsert([
      balance("USDT", "100", 1),
      balance("BTC", "1", 1),
      balance("USDT", "5", 1, other),
    ]);
    await repos.balances.upsert([{ ...balance("USDT", "90.5", 2), locked: dec("9.5") }]);
    assert.deepEqual(plain(await repos.balances.get(PAPER, "USDT")), {
      accountId: "paper",
      asset: "USDT",
      free: "90.5",
      locked: "9.5",
      updatedAt: at(2),
    });
    assert.deepEqual(
      (await repos.balances.byAccount(PAPER)).map((b) => [b.asset, b.free.toString()]),
      [
        ["BTC", "1"],
        ["USDT", "90.5"],
      ],
    );
    assert.equal((await repos.balances.get(other, "USDT"))?.free.toString(), "5");
    assert.equal(await repos.balances.get(PAPER, "ETH"), undefined);
    assert.deepEqual(await repos.balances.byAccount(accountId("nobody")), []);
  });

  check("balances: decimals round-trip exactly", async ({ repos }) => {
    const balances = Array.from({ length: DECIMAL_ROWS }, (_, i) => ({
      ...balance(`A${String(i).padStart(2, "0")}`, hardDecimal(i).toString(), i),
      locked: hardDecimal(i + 4),
    }));
    await writeSmallThenBulk(balances, (rows) => repos.balances.upsert(rows));
    assert.deepEqual(plain(await repos.balances.byAccount(PAPER)), plain(balances));
  });
}
