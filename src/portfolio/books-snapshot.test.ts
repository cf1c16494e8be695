import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dec, ErrorCode, isDesError, type strategyId } from "../core/index.ts";
import type { OrderFilled } from "../model/index.ts";
import { PORTFOLIO_BOOKS_SNAPSHOT_VERSION, type PortfolioBooksSnapshot } from "./books-snapshot.ts";
import type { Portfolio } from "./portfolio.ts";
import {
  BTCUSDT,
  ETHBTC,
  MAIN,
  makeFill,
  newPortfolio,
  PAPER,
  STRATEGIES,
  T0,
} from "./test-support/books-fixture.ts";

const [S1, S2] = STRATEGIES as [ReturnType<typeof strategyId>, ReturnType<typeof strategyId>];

/** A short history: a BTC long partly closed with a base commission, an ETHBTC short paying BNB. */
function history(): OrderFilled[] {
  const base = { strategy: S1, account: PAPER, instrument: BTCUSDT } as const;
  return [
    makeFill({
      ...base,
      n: 1,
      side: "BUY",
      qty: dec("0.3"),
      price: dec("40000"),
      commission: dec("0.0003"),
      commissionAsset: "BTC",
    }),
    makeFill({ ...base, n: 2, side: "SELL", qty: dec("0.1"), price: dec("41000"), commission: dec("4.1") }),
    makeFill({
      n: 3,
      strategy: S2,
      account: MAIN,
      instrument: ETHBTC,
      side: "SELL",
      qty: dec("2"),
      price: dec("0.05"),
      commission: dec("0.01"),
      commissionAsset: "BNB",
    }),
  ];
}

function filled(fills: OrderFilled[] = history()): Portfolio {
  const p = newPortfolio();
  for (const f of fills) p.applyFill(f);
  return p;
}

/** A JSON copy of the snapshot, as it comes back from the store. */
function stored(p: Portfolio): PortfolioBooksSnapshot {
  return JSON.parse(JSON.stringify(p.exportBooks())) as PortfolioBooksSnapshot;
}

type JsonPath = readonly (string | number)[];

/** Returns the value at a path of parsed JSON. */
function at(root: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
}

/** Sets (or, with undefined, deletes) the value at a path of parsed JSON. */
function poke(root: unknown, path: JsonPath, value: unknown): void {
  const parent = at(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (value === undefined) delete parent[key];
  else parent[key] = value;
}

function assertSnapshotError(run: () => void, field: string): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(isDesError(e));
    assert.equal(e.code, ErrorCode.StoreFailed);
    assert.match(e.message, new RegExp(field.replaceAll(".", "\\.")));
    assert.ok((e.details["fields"] as string[]).includes(field), `fields ${String(e.details["fields"])}`);
    return true;
  });
}

describe("Portfolio.exportBooks / restoreBooks", () => {
  test("the snapshot is plain JSON with every book's exact state and the last fill as watermark", () => {
    const snapshot = filled().exportBooks();
    assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot, "survives a JSON round trip unchanged");
    assert.equal(snapshot.version, PORTFOLIO_BOOKS_SNAPSHOT_VERSION);
    assert.equal(snapshot.takenAt, T0);
    assert.deepEqual(snapshot.lastFill, {
      accountId: "main",
      instrumentId: "ETHBTC",
      tradeId: "t3",
      clientOrderId: "c3",
      ts: T0 + 3,
    });
    assert.deepEqual(
      snapshot.books.map((b) => `${b.kind}:${b.id}`),
      ["strategy:s1", "strategy:s2", "account:paper", "account:main"],
    );
    const s1 = snapshot.books[0]!;
    assert.deepEqual(s1.positions, [
      {
        instrumentId: "BTCUSDT",
        // 0.3 bought, 0.0003 kept by the venue, 0.1 sold
        quantity: "0.1997",
        costBasis: "7988",
        realizedPnl: "83.9", // 0.1 x (41000 - 40000) - 4.1 - 0.0003 x 40000
        commissions: { BTC: "0.0003", USDT: "4.1" },
        fillCount: 2,
        lastFillPrice: "41000",
        updatedAt: T0 + 2,
      },
    ]);
    assert.deepEqual(s1.cash, { USDT: "-7904.1" });
    assert.equal(s1.initialCash, undefined);
    const main = snapshot.books[3]!;
    assert.deepEqual(main.initialCash, { USDT: "500" });
    assert.deepEqual(main.cash, { USDT: "500", BTC: "0.1", BNB: "-0.01" });
    assert.deepEqual(snapshot.recentTradeIds, [
      ["paper", "BTCUSDT", "t1"],
      ["paper", "BTCUSDT", "t2"],
      ["main", "ETHBTC", "t3"],
    ]);
  });

  test("a restored portfolio refuses a fill the snapshot includes and books the next as the original does", () => {
    const original = filled();
    const restored = newPortfolio();
    restored.restoreBooks(stored(original));
    assert.deepEqual(restored.exportBooks(), original.exportBooks());
    assert.equal(restored.applyFill(history()[1]!), false, "t2 is in the snapshot");
    const next = makeFill({
      n: 4,
      strategy: S1,
      account: PAPER,
      instrument: BTCUSDT,
      side: "SELL",
      qty: dec("0.5"),
      price: dec("39000"),
    });
    assert.equal(restored.applyFill(next), true);
    assert.equal(original.applyFill(next), true);
    assert.equal(restored.position(S1, BTCUSDT).toString(), "-0.3003");
    assert.deepEqual(restored.exportBooks(), original.exportBooks());
    assert.equal(restored.stats().fillsApplied, 1, "counters are not part of the snapshot");
  });

  test("restore replaces the books; an account configured but absent from the snapshot starts fresh", () => {
    const only = newPortfolio({ initialCash: { paper: { USDT: "1" }, main: { USDT: "500" } } });
    only.applyFill(history()[0]!);
    const snapshot = stored(only);
    const withoutMain = { ...snapshot, books: snapshot.books.filter((b) => b.id !== "main") };
    const restored = filled(); // books to be replaced
    const target = newPortfolio();
    target.restoreBooks(stored(restored));
    target.restoreBooks(withoutMain); // twice is fine before any fill
    assert.equal(target.strategy(S2), undefined, "s2 came only from the replaced books");
    assert.equal(target.account(PAPER)?.cash["USDT"]?.toString(), "-11999", "1 - 0.3 x 40000");
    assert.equal(target.account(MAIN)?.cash["USDT"]?.toString(), "500", "fresh from the configuration");
  });

  test("a smaller memory keeps the newest trade ids of the snapshot", () => {
    const small = newPortfolio({ rememberedTradeIds: 2 });
    small.restoreBooks(stored(filled()));
    assert.deepEqual(small.exportBooks().recentTradeIds, [
      ["paper", "BTCUSDT", "t2"],
      ["main", "ETHBTC", "t3"],
    ]);
    assert.equal(small.applyFill(history()[0]!), true, "t1 was forgotten: it applies again");
  });

  test("restoring after start() or after a fill is refused", () => {
    const snapshot = stored(filled());
    const started = newPortfolio();
    started.start();
    assert.throws(() => started.restoreBooks(snapshot), { code: ErrorCode.InvalidConfig });
    const busy = filled(history().slice(0, 1));
    assert.throws(() => busy.restoreBooks(snapshot), { code: ErrorCode.InvalidConfig });
    assert.equal(busy.position(S1, BTCUSDT).toString(), "0.2997");
  });

  /** [what is wrong, the field the error must name, the path to poke, the value put there]. */
  const corruptions: Array<[string, string, JsonPath, (s: unknown) => unknown]> = [
    ["an unknown version", "version", ["version"], () => 2],
    [
      "a float for a decimal",
      "books.0.positions.0.quantity",
      ["books", 0, "positions", 0, "quantity"],
      () => 0.1997,
    ],
    [
      "a malformed decimal",
      "books.0.positions.0.costBasis",
      ["books", 0, "positions", 0, "costBasis"],
      () => "7,988",
    ],
    ["an exponent", "books.2.cash.USDT", ["books", 2, "cash", "USDT"], () => "1e4"],
    [
      "19 decimals",
      "books.0.positions.0.realizedPnl",
      ["books", 0, "positions", 0, "realizedPnl"],
      () => "0.0000000000000000001",
    ],
    ["an out-of-range decimal", "books.0.cash.USDT", ["books", 0, "cash", "USDT"], () => "9".repeat(43)],
    [
      "a negative commission",
      "books.0.positions.0.commissions.BTC",
      ["books", 0, "positions", 0, "commissions", "BTC"],
      () => "-1",
    ],
    [
      "a zero last fill price",
      "books.0.positions.0.lastFillPrice",
      ["books", 0, "positions", 0, "lastFillPrice"],
      () => "0",
    ],
    [
      "a cost basis against the quantity",
      "books.0.positions.0.costBasis",
      ["books", 0, "positions", 0, "costBasis"],
      () => "-1",
    ],
    [
      "a cost basis on a flat position",
      "books.0.positions.0.costBasis",
      ["books", 0, "positions", 0, "quantity"],
      () => "0",
    ],
    [
      "a missing field",
      "books.1.positions.0.fillCount",
      ["books", 1, "positions", 0, "fillCount"],
      () => undefined,
    ],
    ["an unknown field", "books.1.extra", ["books", 1, "extra"], () => 1],
    ["a bad kind", "books.1.kind", ["books", 1, "kind"], () => "venue"],
    ["a bad strategy id", "books.1.id", ["books", 1, "id"], () => "bad id!"],
    [
      "a bad symbol",
      "books.1.positions.0.instrumentId",
      ["books", 1, "positions", 0, "instrumentId"],
      () => "eth/btc",
    ],
    ["a duplicate book", "books.4.id", ["books", 4], (s) => structuredClone(at(s, ["books", 0]))],
    [
      "a duplicate position",
      "books.0.positions.1.instrumentId",
      ["books", 0, "positions", 1],
      (s) => structuredClone(at(s, ["books", 0, "positions", 0])),
    ],
    [
      "a fractional time",
      "books.0.positions.0.updatedAt",
      ["books", 0, "positions", 0, "updatedAt"],
      () => 1.5,
    ],
    ["a malformed trade id entry", "recentTradeIds.1", ["recentTradeIds", 1], () => ["paper", "BTCUSDT"]],
    ["no watermark key", "lastFill", ["lastFill"], () => undefined],
  ];
  for (const [what, field, path, value] of corruptions) {
    test(`a snapshot with ${what} is refused naming ${field}, and nothing changes`, () => {
      const target = newPortfolio();
      target.restoreBooks(stored(filled(history().slice(2)))); // books of its own, no fill applied
      const before = JSON.stringify(target.exportBooks());
      const snapshot: unknown = stored(filled());
      poke(snapshot, path, value(snapshot));
      assertSnapshotError(() => target.restoreBooks(snapshot), field);
      assert.equal(JSON.stringify(target.exportBooks()), before);
    });
  }

  test("a snapshot with many problems names the first ten in the message and counts them all", () => {
    const bad: unknown = stored(filled());
    poke(
      bad,
      ["recentTradeIds"],
      Array.from({ length: 12 }, () => ["paper", "btc"]),
    );
    assert.throws(
      () => newPortfolio().restoreBooks(bad),
      (e: unknown) =>
        isDesError(e) &&
        e.message.includes(
          "recentTradeIds.9: expected [accountId, instrumentId, tradeId] strings; and 2 more",
        ) &&
        e.details["problems"] === 12 &&
        (e.details["fields"] as string[]).length === 12,
    );
  });

  test("a refused snapshot leaves a fresh portfolio usable: a good one restores afterwards", () => {
    const good = stored(filled());
    const bad: unknown = structuredClone(good);
    poke(bad, ["books", 3, "positions", 0, "quantity"], "NaN");
    const p = newPortfolio();
    assertSnapshotError(() => p.restoreBooks(bad), "books.3.positions.0.quantity");
    assert.equal(p.strategy(S1), undefined);
    p.restoreBooks(good);
    assert.equal(p.position(S1, BTCUSDT).toString(), "0.1997");
    assert.equal(
      p.strategyExposure(S1).toString(),
      "8187.7",
      "0.1997 x 41000, the last fill price without a mark",
    );
  });
});
