import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Decimal, dec } from "../../core/index.ts";
import { body, btcusdtAllTypes, makeHarness, realSymbol } from "./sim-exchange.fixture.ts";
import type { SimExchange } from "./sim-exchange.ts";

const ACCOUNTS: Record<string, Record<string, string>> = {
  A: { USDT: "50000", BTC: "2", LTC: "100" },
  B: { USDT: "1000", BTC: "0.1", LTC: "5" },
};
const ASSETS = ["USDT", "BTC", "LTC"];

/** Price and quantity grids per symbol (real tick and step sizes). */
const GRID = {
  BTCUSDT: { low: 19900, tick: "0.01", ticks: 20000, step: "0.00001", minSteps: 50, maxSteps: 5000 },
  LTCUSDT: { low: 59, tick: "0.01", ticks: 200, step: "0.001", minSteps: 100, maxSteps: 20000 },
} as const;
type Sym = keyof typeof GRID;

const symArb = fc.constantFrom<Sym>("BTCUSDT", "LTCUSDT");
const priceOf = (s: Sym, t: number): string =>
  dec(String(GRID[s].low))
    .add(dec(GRID[s].tick).mul(dec(String(t))))
    .toString();
const qtyOf = (s: Sym, n: number): string =>
  dec(GRID[s].step)
    .mul(dec(String(n)))
    .toString();

const command = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("book" as const),
      sym: symArb,
      bids: fc.array(fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 5000 })), {
        maxLength: 4,
      }),
      asks: fc.array(fc.tuple(fc.integer({ min: 10001, max: 20000 }), fc.integer({ min: 0, max: 5000 })), {
        maxLength: 4,
      }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("trade" as const),
      sym: symArb,
      tick: fc.integer({ min: 0, max: 20000 }),
      steps: fc.integer({ min: 1, max: 10000 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("order" as const),
      account: fc.constantFrom("A", "B"),
      sym: symArb,
      side: fc.constantFrom("BUY", "SELL"),
      type: fc.constantFrom(
        "LIMIT",
        "LIMIT",
        "MARKET",
        "LIMIT_MAKER",
        "STOP_LOSS",
        "STOP_LOSS_LIMIT",
        "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT",
      ),
      tif: fc.constantFrom("GTC", "GTC", "IOC", "FOK"),
      tick: fc.integer({ min: 0, max: 20000 }),
      stopTick: fc.integer({ min: 0, max: 20000 }),
      steps: fc.integer({ min: 1, max: 5000 }),
      quote: fc.option(fc.integer({ min: 5, max: 2000 }), { nil: undefined }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      account: fc.constantFrom("A", "B"),
      pick: fc.nat(),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("cancelAll" as const),
      account: fc.constantFrom("A", "B"),
      sym: symArb,
    }),
    weight: 1,
  },
);

type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

function run(ex: SimExchange, c: Command, now: number): void {
  switch (c.kind) {
    case "book": {
      const g = GRID[c.sym];
      const scale = g.ticks / 20000;
      const lv = (levels: Array<[number, number]>) =>
        levels.map(([t, n]) => [priceOf(c.sym, Math.floor(t * scale)), qtyOf(c.sym, n)] as const);
      ex.applyBookLevels(c.sym, lv(c.bids), lv(c.asks));
      return;
    }
    case "trade":
      ex.onMarketTrade(
        c.sym,
        priceOf(c.sym, Math.floor((c.tick * GRID[c.sym].ticks) / 20000)),
        qtyOf(c.sym, c.steps),
        now,
        false,
      );
      return;
    case "order": {
      const g = GRID[c.sym];
      const scale = g.ticks / 20000;
      const params: Record<string, string> = { symbol: c.sym, side: c.side, type: c.type };
      if (c.type === "MARKET" && c.quote !== undefined) params["quoteOrderQty"] = String(c.quote);
      else params["quantity"] = qtyOf(c.sym, Math.max(g.minSteps, Math.min(g.maxSteps, c.steps)));
      if (c.type !== "MARKET" && c.type !== "STOP_LOSS" && c.type !== "TAKE_PROFIT") {
        params["price"] = priceOf(c.sym, Math.floor(c.tick * scale));
      }
      if (c.type.startsWith("STOP_LOSS") || c.type.startsWith("TAKE_PROFIT")) {
        params["stopPrice"] = priceOf(c.sym, Math.floor(c.stopTick * scale));
      }
      if (c.type === "LIMIT" || c.type === "STOP_LOSS_LIMIT" || c.type === "TAKE_PROFIT_LIMIT")
        params["timeInForce"] = c.tif;
      ex.newOrder(c.account, params);
      return;
    }
    case "cancel": {
      const open = body(ex.openOrders(c.account, {}));
      const o = open[c.pick % Math.max(1, open.length)];
      if (o !== undefined)
        body(ex.cancelOrder(c.account, { symbol: String(o["symbol"]), orderId: String(o["orderId"]) }));
      return;
    }
    case "cancelAll":
      ex.cancelOpenOrders(c.account, { symbol: c.sym });
      return;
  }
}

/** Returns every trade of an account on a symbol, paging with fromId. */
function allTrades(ex: SimExchange, account: string, symbol: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let fromId = 1; ; ) {
    const page = body(ex.myTrades(account, { symbol, fromId: String(fromId), limit: "1000" }));
    out.push(...page);
    if (page.length < 1000) return out;
    fromId = Number(page[page.length - 1]?.["id"]) + 1;
  }
}

function checkInvariants(ex: SimExchange): void {
  const totals = new Map<string, Decimal>(ASSETS.map((a) => [a, Decimal.ZERO]));
  const flows = new Map<string, Decimal>(ASSETS.map((a) => [a, Decimal.ZERO]));
  const add = (m: Map<string, Decimal>, asset: string, v: Decimal) =>
    m.set(asset, (m.get(asset) ?? Decimal.ZERO).add(v));
  for (const [id, initial] of Object.entries(ACCOUNTS)) {
    const balances = body(ex.account(id, {}))["balances"] as Array<{
      asset: string;
      free: string;
      locked: string;
    }>;
    const held = new Map<string, Decimal>();
    for (const o of body(ex.openOrders(id, {}))) {
      const sym = o["symbol"] === "BTCUSDT" ? { base: "BTC", quote: "USDT" } : { base: "LTC", quote: "USDT" };
      const remaining = dec(String(o["origQty"])).sub(dec(String(o["executedQty"])));
      assert.ok(remaining.isPositive(), "an open order has quantity left");
      if (o["side"] === "SELL") add(held, sym.base, remaining);
      else {
        const marketStop = o["type"] === "STOP_LOSS" || o["type"] === "TAKE_PROFIT";
        add(held, sym.quote, dec(String(marketStop ? o["stopPrice"] : o["price"])).mul(remaining));
      }
    }
    for (const b of balances) {
      const free = dec(b.free);
      const locked = dec(b.locked);
      assert.ok(
        !free.isNegative() && !locked.isNegative(),
        `${id} ${b.asset} went negative: ${b.free}/${b.locked}`,
      );
      assert.equal(
        locked.toString(),
        (held.get(b.asset) ?? Decimal.ZERO).toString(),
        `${id} ${b.asset} locked`,
      );
      add(totals, b.asset, free.add(locked));
      add(totals, b.asset, dec(initial[b.asset] ?? "0").neg());
    }
    for (const [symbol, base] of [
      ["BTCUSDT", "BTC"],
      ["LTCUSDT", "LTC"],
    ] as const) {
      for (const t of allTrades(ex, id, symbol)) {
        const qty = dec(String(t["qty"]));
        const quote = dec(String(t["quoteQty"]));
        const buyer = t["isBuyer"] === true;
        // The market counterparty gives what the account gets and gets what it gives.
        add(flows, base, buyer ? qty.neg() : qty);
        add(flows, "USDT", buyer ? quote : quote.neg());
        add(flows, String(t["commissionAsset"]), dec(String(t["commission"])));
      }
    }
  }
  for (const asset of ASSETS) {
    const change = (totals.get(asset) ?? Decimal.ZERO).add(flows.get(asset) ?? Decimal.ZERO);
    assert.equal(change.toString(), "0", `${asset}: account change + market flow + commissions must be 0`);
  }
}

describe("SimExchange properties", () => {
  it("balances change only by commissions, never go negative, and locked equals what open orders hold", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("1", "0.3"),
        fc.array(command, { minLength: 1, maxLength: 80, size: "max" }),
        (participation, commands) => {
          const h = makeHarness(
            { symbols: [btcusdtAllTypes(), realSymbol("LTCUSDT")], tradeParticipation: participation },
            ACCOUNTS["A"],
          );
          h.ex.addAccount("B", ACCOUNTS["B"] ?? {});
          for (const c of commands) {
            h.clock.now += 1;
            run(h.ex, c, h.clock.now);
            checkInvariants(h.ex);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
