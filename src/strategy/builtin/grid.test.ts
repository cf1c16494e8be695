import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import {
  accountId,
  asMicros,
  type ClientOrderId,
  Decimal,
  ErrorCode,
  isDesError,
  strategyId,
  tradeId,
  venueOrderId,
} from "../../core/index.ts";
import { type Instrument, type OrderFilled, OrderStatus } from "../../model/index.ts";
import { FakeStrategyContext } from "./fake-strategy-context.ts";
import { BTCUSDT, barsFromCloses, fixtureBars } from "./fixture-bars.ts";
import { grid } from "./grid.ts";
import { splitRun } from "./split-run.ts";

const bars = fixtureBars();
const GRID = { lower: "4900", upper: "5400", levels: 6, sizePerLevel: "0.001" };

function start(raw: Record<string, unknown>, instruments: Instrument[] = [BTCUSDT]) {
  const ctx = new FakeStrategyContext(instruments);
  const strategy = grid.create(grid.params.parse(raw));
  strategy.onStart?.(ctx);
  return { ctx, strategy };
}

function openBook(ctx: FakeStrategyContext): string[] {
  return [...ctx.open.values()]
    .map((o) => `${o.side} ${o.quantity}@${o.price}`)
    .sort((a, b) => a.localeCompare(b));
}

function placed(ctx: FakeStrategyContext, from = 0): string[] {
  return ctx.orders.slice(from).map((o) => `${o.side} ${o.quantity}@${o.price}`);
}

describe("grid layout", () => {
  test("flat: BUY limits at every level below the first close, no SELL", () => {
    const { ctx, strategy } = start(GRID);
    ctx.run(strategy, bars.slice(0, 1)); // close 5000.36
    assert.deepEqual(placed(ctx), ["BUY 0.001@4900", "BUY 0.001@5000"]);
    for (const o of ctx.orders) {
      assert.equal(o.type, "LIMIT");
      assert.equal(o.timeInForce, "GTC");
    }
  });

  test("with inventory: SELL limits above the price, lowest first, whole lots only, one empty level", () => {
    const { ctx, strategy } = start(GRID);
    ctx.positions.set(BTCUSDT.id, Decimal.from("0.0035"));
    ctx.run(strategy, bars.slice(0, 1));
    // 5100 stays empty: it is the sell level of the slot that holds the BUY at 5000.
    assert.deepEqual(placed(ctx), [
      "BUY 0.001@4900",
      "BUY 0.001@5000",
      "SELL 0.001@5200",
      "SELL 0.001@5300",
      "SELL 0.001@5400",
    ]);
  });

  test("prices are rounded to the tick size, quantities down to the step size", () => {
    const { ctx, strategy } = start({ lower: "5000", upper: "5100", levels: 4, sizePerLevel: "0.0012345" });
    ctx.run(strategy, barsFromCloses(["5200"]));
    assert.deepEqual(placed(ctx), ["BUY 0.001234@5000", "BUY 0.001234@5033.33", "BUY 0.001234@5066.67"]);
    for (const o of ctx.orders) assert.ok(o.price!.isMultipleOf(BTCUSDT.tickSize));
  });

  test("levels that collapse at the tick size are refused with the tick size named", () => {
    const coarse = { ...BTCUSDT, tickSize: Decimal.from("10") };
    const { ctx, strategy } = start({ lower: "5000", upper: "5010", levels: 4, sizePerLevel: "1" }, [coarse]);
    assert.throws(
      () => ctx.run(strategy, barsFromCloses(["5005"])),
      (e) => isDesError(e, ErrorCode.InvalidStrategyParams) && /tick size 10/.test(e.message),
    );
    assert.equal(ctx.orders.length, 0);
  });

  test("an unknown instrument is an error, not an unrounded grid", () => {
    const { ctx, strategy } = start(GRID, []);
    assert.throws(
      () => ctx.run(strategy, bars.slice(0, 1)),
      (e) => isDesError(e, ErrorCode.UnknownInstrument),
    );
  });

  test("nothing is placed during warm-up; the grid is laid out on the first live bar", () => {
    const { ctx, strategy } = start(GRID);
    ctx.isWarmingUp = true;
    ctx.run(strategy, bars.slice(0, 5));
    assert.equal(ctx.orders.length, 0);
    ctx.isWarmingUp = false;
    ctx.run(strategy, barsFromCloses(["5150"]), 5);
    assert.deepEqual(placed(ctx), ["BUY 0.001@4900", "BUY 0.001@5000", "BUY 0.001@5100"]);
  });
});

describe("grid refills", () => {
  test("a filled BUY places a SELL one level up; a filled SELL a BUY one level down", () => {
    const { ctx, strategy } = start(GRID);
    ctx.run(strategy, barsFromCloses(["5050", "4990", "5120", "4850", "5150"]));
    assert.deepEqual(placed(ctx), [
      "BUY 0.001@4900",
      "BUY 0.001@5000",
      "SELL 0.001@5100", // bar 1: the 5000 buy filled
      "BUY 0.001@5000", // bar 2: the 5100 sell filled
      "SELL 0.001@5100", // bar 3: the 5000 buy filled...
      "SELL 0.001@5000", // ...then the 4900 buy
      "BUY 0.001@4900", // bar 4: the 5000 sell filled...
      "BUY 0.001@5000", // ...then the 5100 sell
    ]);
    assert.deepEqual(openBook(ctx), ["BUY 0.001@4900", "BUY 0.001@5000"]);
    assert.ok(ctx.position(BTCUSDT.id).isZero());
  });

  test("on the real path: no two orders on a level, inventory == lots to sell, each sell one level above its buy", () => {
    const raw = { lower: "4850", upper: "5350", levels: 26, sizePerLevel: "0.002" };
    const { ctx, strategy } = start(raw);
    const levels = new Set(Array.from({ length: 26 }, (_, i) => (4850 + 20 * i).toFixed(2)));
    const bought = new Map<string, number>(); // buy level -> lots waiting for their sell
    let roundTrips = 0;
    let seenFills = 0;
    bars.forEach((bar, i) => {
      ctx.run(strategy, [bar], i);
      for (; seenFills < ctx.fills.length; seenFills++) {
        const f = ctx.fills[seenFills]!;
        const price = Number(f.lastPrice.toString());
        if (f.side === "BUY") bought.set(price.toFixed(2), (bought.get(price.toFixed(2)) ?? 0) + 1);
        else {
          const below = (price - 20).toFixed(2);
          assert.ok((bought.get(below) ?? 0) > 0, `bar ${i}: SELL at ${price} without a BUY at ${below}`);
          bought.set(below, bought.get(below)! - 1);
          roundTrips++;
        }
      }
      const prices = [...ctx.open.values()].map((o) => o.price!.toString());
      assert.equal(new Set(prices).size, prices.length, `bar ${i}: two orders on one level: ${prices}`);
      for (const o of ctx.open.values()) {
        assert.ok(levels.has(Number(o.price!.toString()).toFixed(2)), `off-grid price ${o.price}`);
        assert.ok(o.price!.isMultipleOf(BTCUSDT.tickSize));
      }
      // Every lot held belongs to exactly one slot waiting to sell it (resting, or waiting for its level).
      const state = strategy.getState?.() as {
        instruments: Record<string, { slots: { side: string; quantity: string }[] }>;
      };
      const toSell = state.instruments["BTCUSDT"]!.slots.filter((x) => x.side === "SELL").reduce(
        (a, x) => a.add(Decimal.from(x.quantity)),
        Decimal.ZERO,
      );
      assert.equal(
        ctx.position(BTCUSDT.id).toString(),
        toSell.toString(),
        `bar ${i}: inventory != lots to sell`,
      );
    });
    assert.ok(roundTrips >= 15, `the grid should trade on this path, got ${roundTrips} round trips`);
  });

  test("a slot waits while its neighbour's opposite order holds the level (no self-trade)", () => {
    const { ctx, strategy } = start(GRID);
    ctx.run(strategy, barsFromCloses(["5050", "4990"])); // the 5000 buy filled: SELL 5100 rests
    // One wide bar fills the 4900 buy (-> SELL at 5000) and the 5100 sell (-> BUY at 5000).
    ctx.run(strategy, barsFromCloses(["5000"], "120"), 2);
    assert.deepEqual(placed(ctx, 3), ["SELL 0.001@5000"]);
    assert.deepEqual(openBook(ctx), ["SELL 0.001@5000"]);
    // The 5000 sell fills: its slot buys at 4900 again, and the waiting BUY at 5000 is placed.
    ctx.run(strategy, barsFromCloses(["5050"]), 3);
    assert.deepEqual(placed(ctx, 4), ["BUY 0.001@4900", "BUY 0.001@5000"]);
    assert.deepEqual(openBook(ctx), ["BUY 0.001@4900", "BUY 0.001@5000"]);
  });

  test("an order that vanishes (canceled outside) is placed again after two bars, never doubled", () => {
    const { ctx, strategy } = start(GRID);
    ctx.run(strategy, barsFromCloses(["5050"]));
    const gone = ctx.orders[1]!; // BUY at 5000
    ctx.open.delete(gone.clientOrderId);
    ctx.run(strategy, barsFromCloses(["5060"]), 1);
    assert.equal(ctx.orders.length, 2, "one bar of grace");
    ctx.run(strategy, barsFromCloses(["5070"]), 2);
    assert.deepEqual(placed(ctx, 2), ["BUY 0.001@5000"]);
    ctx.run(strategy, barsFromCloses(["5070", "5060", "5080"]), 3);
    assert.equal(ctx.orders.length, 3);
    assert.deepEqual(openBook(ctx), ["BUY 0.001@4900", "BUY 0.001@5000"]);
  });

  test("a partial fill waits for the rest before the slot flips", () => {
    const { ctx, strategy } = start(GRID);
    ctx.run(strategy, barsFromCloses(["5050"]));
    const order = ctx.orders[1]!;
    strategy.onOrderFilled?.(fakeFill(order.clientOrderId, "0.0004", OrderStatus.PartiallyFilled), ctx);
    assert.equal(ctx.orders.length, 2);
    strategy.onOrderFilled?.(fakeFill(order.clientOrderId, "0.0006", OrderStatus.Filled), ctx);
    assert.deepEqual(placed(ctx, 2), ["SELL 0.001@5100"]);
  });
});

function fakeFill(id: ClientOrderId, qty: string, status: OrderStatus): OrderFilled {
  return {
    kind: "OrderFilled",
    clientOrderId: id,
    strategyId: strategyId("test-strategy"),
    instrumentId: BTCUSDT.id,
    ts: asMicros(0),
    accountId: accountId("paper"),
    venueOrderId: venueOrderId(1),
    tradeId: tradeId(qty),
    side: "BUY",
    lastQty: Decimal.from(qty),
    lastPrice: Decimal.from("5000"),
    commission: Decimal.ZERO,
    commissionAsset: "USDT",
    liquidity: "MAKER",
    orderStatus: status,
  };
}

describe("grid lifecycle", () => {
  test("state round trip: restart mid-run gives the same orders and fills, and no duplicate grid", () => {
    const raw = { lower: "4850", upper: "5350", levels: 26, sizePerLevel: "0.002" };
    const whole = start(raw);
    whole.ctx.run(whole.strategy, bars);
    for (const split of [1, 2, 100, 250, 499]) {
      const ctx = new FakeStrategyContext([BTCUSDT]);
      splitRun(grid, raw, bars, split, ctx);
      assert.deepEqual(placed(ctx), placed(whole.ctx), `split at ${split}`);
      assert.deepEqual(
        ctx.fills.map((f) => `${f.side}@${f.lastPrice}`),
        whole.ctx.fills.map((f) => `${f.side}@${f.lastPrice}`),
      );
    }
  });

  test("state saved for other bounds is rebuilt: old orders canceled, new grid laid out", () => {
    const { ctx, strategy } = start(GRID);
    ctx.run(strategy, barsFromCloses(["5050"]));
    const saved = JSON.parse(JSON.stringify(strategy.getState?.()));
    const next = grid.create(grid.params.parse({ ...GRID, lower: "4950", levels: 10 }));
    next.setState?.(saved);
    ctx.run(next, barsFromCloses(["5050"]), 1);
    assert.deepEqual(
      ctx.cancels.sort(),
      ctx.orders
        .slice(0, 2)
        .map((o) => o.clientOrderId)
        .sort(),
    );
    assert.deepEqual(openBook(ctx), ["BUY 0.001@4950", "BUY 0.001@5000"]);
  });

  test("a rebuild pending at save time still happens after the restart", () => {
    const { ctx, strategy } = start(GRID);
    ctx.run(strategy, barsFromCloses(["5050"]));
    const moved = { ...GRID, lower: "4800", upper: "5300" };
    strategy.updateParams?.(grid.params.parse(moved));
    const next = grid.create(grid.params.parse(moved));
    next.setState?.(JSON.parse(JSON.stringify(strategy.getState?.())));
    ctx.run(next, barsFromCloses(["5050"]), 1);
    assert.equal(ctx.cancels.length, 2);
    assert.deepEqual(openBook(ctx), ["BUY 0.001@4800", "BUY 0.001@4900", "BUY 0.001@5000"]);
  });

  test("onStop cancels the resting orders; after a restart they are placed again", () => {
    const { ctx, strategy } = start(GRID);
    ctx.run(strategy, barsFromCloses(["5050"]));
    strategy.onStop?.(ctx);
    assert.equal(ctx.cancels.length, 2);
    assert.equal(ctx.open.size, 0);
    const next = grid.create(grid.params.parse(GRID));
    next.setState?.(JSON.parse(JSON.stringify(strategy.getState?.())));
    ctx.run(next, barsFromCloses(["5050", "5050"]), 1);
    assert.deepEqual(openBook(ctx), ["BUY 0.001@4900", "BUY 0.001@5000"]);
    assert.equal(ctx.orders.length, 4);
  });

  test("hot update: new bounds rebuild the grid; a new size applies to the next orders only", () => {
    const { ctx, strategy } = start(GRID);
    ctx.run(strategy, barsFromCloses(["5050"]));
    strategy.updateParams?.(grid.params.parse({ ...GRID, sizePerLevel: "0.002" }));
    ctx.run(strategy, barsFromCloses(["4990", "5120"]), 1);
    // 5000 buy (old size) filled -> SELL 0.001 at 5100; that filled -> BUY at 5000 with the new size.
    assert.deepEqual(placed(ctx, 2), ["SELL 0.001@5100", "BUY 0.002@5000"]);
    strategy.updateParams?.(grid.params.parse({ ...GRID, lower: "4800", sizePerLevel: "0.002" }));
    ctx.run(strategy, barsFromCloses(["5120"]), 3);
    assert.equal(ctx.cancels.length, 2);
    assert.deepEqual(openBook(ctx), ["BUY 0.002@4800", "BUY 0.002@4920", "BUY 0.002@5040"]);
  });

  test("a marked state change accompanies every new order", () => {
    const { ctx, strategy } = start(GRID);
    ctx.run(strategy, barsFromCloses(["5050"]));
    assert.ok(ctx.stateChanges >= 2);
  });

  test("a corrupt state is refused with a readable error", () => {
    const strategy = grid.create(grid.params.parse(GRID));
    assert.throws(
      () => strategy.setState?.({ version: 1, geometry: {}, instruments: {} }),
      /invalid grid state/,
    );
  });
});

describe("grid params", () => {
  test("lower >= upper names upper; levels out of bounds name levels", () => {
    const r = grid.params.safeParse({ lower: "5000", upper: "5000", levels: 1, sizePerLevel: "0.1" });
    assert.equal(r.success, false);
    const text = z.prettifyError(r.error!);
    assert.match(text, /upper \(5000\) must be greater than lower \(5000\)[\s\S]*at upper/);
    assert.match(text, /at levels/);
    const r2 = grid.params.safeParse({ ...GRID, levels: 201 });
    assert.deepEqual(r2.error!.issues[0]!.path, ["levels"]);
  });

  test("prices and sizes must be positive decimal strings", () => {
    const r = grid.params.safeParse({ lower: 4900, upper: "abc", sizePerLevel: "0" });
    const byKey = new Map(r.error!.issues.map((i) => [i.path.join("."), i.message]));
    assert.match(byKey.get("lower")!, /decimal string/);
    assert.match(byKey.get("upper")!, /not|decimal string/);
    assert.match(byKey.get("sizePerLevel")!, /greater than 0/);
  });

  test("parsed params parse again to the same values", () => {
    const p = grid.params.parse(GRID);
    const again = grid.params.parse(p);
    assert.equal(again.lower.toString(), "4900");
    assert.equal(again.levels, 6);
    assert.equal(again.cancelOnStop, true);
  });
});
