import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { MessageBus, Topic } from "../bus/index.ts";
import {
  type AccountId,
  accountId,
  asMicros,
  clientOrderId,
  Decimal,
  type DesError,
  dec,
  ErrorCode,
  instrumentId,
  Rounding,
  type StrategyId,
  strategyId,
  TestClock,
  tradeId,
  venueOrderId,
} from "../core/index.ts";
import {
  type Bar,
  type Instrument,
  type OrderFilled,
  type OrderSide,
  type PositionChanged,
  parseInstrument,
  type TradeTick,
} from "../model/index.ts";
import { Portfolio } from "./index.ts";

const BTCUSDT = instrumentId("BTCUSDT");
const PAPER = accountId("paper");
const S1 = strategyId("s1");
const S2 = strategyId("s2");
const T0 = Date.UTC(2024, 0, 1) * 1000;

function btcusdt(): Instrument {
  return parseInstrument({
    symbol: "BTCUSDT",
    status: "TRADING",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    filters: [],
  });
}

function setup(initialCash: Record<string, Record<string, string>> = { paper: { USDT: "10000" } }) {
  const bus = new MessageBus();
  const clock = new TestClock(T0);
  const problems: DesError[] = [];
  const portfolio = new Portfolio({
    bus,
    clock,
    instruments: [btcusdt()],
    initialCash,
    onProblem: (p) => problems.push(p),
  });
  portfolio.start();
  const changes: PositionChanged[] = [];
  bus.subscribe(Topic.PositionChanged, (c) => changes.push(c));
  return { bus, clock, portfolio, problems, changes };
}

let seq = 0;
interface FillSpec {
  side: OrderSide;
  qty: string | Decimal;
  price: string | Decimal;
  commission?: string | Decimal;
  commissionAsset?: string;
  strategy?: StrategyId;
  account?: AccountId;
  id?: string;
}

function fill(spec: FillSpec): OrderFilled {
  const n = ++seq;
  return {
    kind: "OrderFilled",
    clientOrderId: clientOrderId(`c${n}`),
    strategyId: spec.strategy ?? S1,
    instrumentId: BTCUSDT,
    accountId: spec.account ?? PAPER,
    venueOrderId: venueOrderId(n),
    tradeId: tradeId(spec.id ?? `t${n}`),
    side: spec.side,
    lastQty: dec(spec.qty),
    lastPrice: dec(spec.price),
    commission: dec(spec.commission ?? "0"),
    commissionAsset: spec.commissionAsset ?? "USDT",
    liquidity: "TAKER",
    orderStatus: "FILLED",
    ts: asMicros(T0 + n),
  };
}

function trade(price: string, at: number): TradeTick {
  return {
    kind: "trade",
    instrumentId: BTCUSDT,
    tradeId: tradeId(at),
    price: dec(price),
    quantity: dec("1"),
    aggressor: "BUY",
    eventTime: asMicros(at),
    receivedAt: asMicros(at),
  };
}

function bar(close: string, closeTime: number, closed: boolean): Bar {
  const p = dec(close);
  return {
    kind: "bar",
    instrumentId: BTCUSDT,
    interval: "1m",
    openTime: asMicros(closeTime - 59_999_000),
    closeTime: asMicros(closeTime),
    open: p,
    high: p,
    low: p,
    close: p,
    volume: dec("1"),
    quoteVolume: p,
    tradeCount: 1,
    closed,
    receivedAt: asMicros(closeTime),
  };
}

describe("Portfolio on the bus", () => {
  test("an OrderFilled moves the strategy's and the account's books and publishes PositionChanged", () => {
    const { bus, portfolio, changes } = setup();
    bus.publish(Topic.OrderEvent, fill({ side: "BUY", qty: "0.1", price: "40000", commission: "4" }));
    assert.equal(portfolio.position(S1, BTCUSDT).toString(), "0.1");
    assert.deepEqual(
      changes.map((c) => [
        c.strategyId,
        c.quantity.toString(),
        c.averagePrice.toString(),
        c.realizedPnl.toString(),
      ]),
      [["s1", "0.1", "40000", "-4"]],
    );
    bus.publish(Topic.Trade, trade("41000", T0 + 1_000_000));
    const view = portfolio.positionView(S1, BTCUSDT);
    assert.equal(view.markPrice?.toString(), "41000");
    assert.equal(view.unrealizedPnl.toString(), "100");
    const account = portfolio.account(PAPER);
    assert.equal(account?.cash["USDT"]?.toString(), "5996"); // 10000 - 4000 - 4
    assert.equal(account?.equity["USDT"]?.toString(), "10096"); // 5996 + 0.1 x 41000
    assert.equal(account?.realizedPnl["USDT"]?.toString(), "-4");
    assert.equal(account?.unrealizedPnl["USDT"]?.toString(), "100");
    const strategy = portfolio.strategy(S1);
    assert.equal(strategy?.equity["USDT"]?.toString(), "96", "a strategy book starts from zero cash");
  });

  test("marks follow the latest trade or closed bar; open bars and older prices are ignored", () => {
    const { bus, portfolio } = setup();
    bus.publish(Topic.OrderEvent, fill({ side: "BUY", qty: "1", price: "100" }));
    assert.equal(portfolio.markPrice(BTCUSDT)?.toString(), "100", "the fill price until market data arrives");
    bus.publish(Topic.Bar, bar("105", T0 + 60_000_000, true));
    assert.equal(portfolio.markPrice(BTCUSDT)?.toString(), "105");
    bus.publish(Topic.Bar, bar("999", T0 + 120_000_000, false));
    assert.equal(portfolio.markPrice(BTCUSDT)?.toString(), "105");
    bus.publish(Topic.Trade, trade("90", T0 + 30_000_000));
    assert.equal(
      portfolio.markPrice(BTCUSDT)?.toString(),
      "105",
      "an older trade does not move the mark back",
    );
    bus.publish(Topic.Trade, trade("107", T0 + 61_000_000));
    assert.equal(portfolio.positionView(S1, BTCUSDT).unrealizedPnl.toString(), "7");
  });

  test("books are kept per strategy and per account: two strategies can be long and short on one flat account", () => {
    const { bus, portfolio, changes } = setup();
    bus.publish(Topic.OrderEvent, fill({ side: "BUY", qty: "1", price: "100", strategy: S1 }));
    bus.publish(Topic.OrderEvent, fill({ side: "SELL", qty: "1", price: "110", strategy: S2 }));
    assert.equal(portfolio.position(S1, BTCUSDT).toString(), "1");
    assert.equal(portfolio.position(S2, BTCUSDT).toString(), "-1");
    const account = portfolio.accountPosition(PAPER, BTCUSDT);
    assert.equal(account.quantity.toString(), "0");
    assert.equal(account.realizedPnl.toString(), "10");
    assert.equal(portfolio.positionView(S1, BTCUSDT).realizedPnl.toString(), "0");
    assert.deepEqual(
      changes.map((c) => `${c.strategyId}:${c.quantity}`),
      ["s1:1", "s2:-1"],
    );
  });

  test("the same fill delivered twice is applied once", () => {
    const { bus, portfolio, changes } = setup();
    const f = fill({ side: "BUY", qty: "1", price: "100", id: "777" });
    bus.publish(Topic.OrderEvent, f);
    bus.publish(Topic.OrderEvent, { ...f });
    assert.equal(portfolio.position(S1, BTCUSDT).toString(), "1");
    assert.equal(portfolio.stats().duplicateFills, 1);
    assert.equal(changes.length, 1);
  });

  test("once its memory is full it forgets the oldest trade id, and counts that", () => {
    const bus = new MessageBus();
    const portfolio = new Portfolio({
      bus,
      clock: new TestClock(T0),
      instruments: [btcusdt()],
      rememberedTradeIds: 2,
    });
    const first = fill({ side: "BUY", qty: "1", price: "100" });
    for (const f of [
      first,
      fill({ side: "BUY", qty: "1", price: "100" }),
      fill({ side: "BUY", qty: "1", price: "100" }),
    ]) {
      assert.equal(portfolio.applyFill(f), true);
    }
    assert.equal(portfolio.stats().tradeIdsForgotten, 1);
    assert.equal(portfolio.applyFill(first), true, "the oldest id was forgotten");
  });

  test("a fill for an unknown instrument or with a bad quantity is refused and reported, never thrown", () => {
    const { bus, portfolio, problems } = setup();
    bus.publish(Topic.OrderEvent, {
      ...fill({ side: "BUY", qty: "1", price: "100" }),
      instrumentId: instrumentId("ETHUSDT"),
    });
    bus.publish(Topic.OrderEvent, fill({ side: "BUY", qty: "0", price: "100" }));
    bus.publish(Topic.OrderEvent, fill({ side: "BUY", qty: "1", price: "100", commission: "-1" }));
    assert.equal(portfolio.stats().fillsRefused, 3);
    assert.equal(problems[0]?.code, ErrorCode.UnknownInstrument);
    assert.match(problems[1]?.message ?? "", /quantity must be a positive/);
    assert.match(problems[2]?.message ?? "", /commission must be a non-negative/);
    assert.equal(portfolio.position(S1, BTCUSDT).toString(), "0");
    assert.equal(bus.stats().find((s) => s.topic === Topic.OrderEvent)?.failed, 0);
  });

  test("commissions in the base asset reduce the held quantity; in BNB they come out of BNB cash", () => {
    const { bus, portfolio } = setup({ paper: { USDT: "1000", BNB: "1" } });
    bus.publish(
      Topic.OrderEvent,
      fill({ side: "BUY", qty: "1", price: "100", commission: "0.001", commissionAsset: "BTC" }),
    );
    bus.publish(
      Topic.OrderEvent,
      fill({ side: "BUY", qty: "1", price: "100", commission: "0.0003", commissionAsset: "BNB" }),
    );
    const account = portfolio.account(PAPER);
    assert.equal(portfolio.position(S1, BTCUSDT).toString(), "1.999");
    assert.equal(account?.cash["USDT"]?.toString(), "800");
    assert.equal(account?.cash["BNB"]?.toString(), "0.9997");
    const view = portfolio.positionView(S1, BTCUSDT);
    assert.equal(view.commissions["BTC"]?.toString(), "0.001");
    assert.equal(view.commissions["BNB"]?.toString(), "0.0003");
    assert.equal(view.realizedPnl.toString(), "-0.1");
  });

  test("snapshot lists every book, serialises to JSON with exact decimal strings, and stop() unsubscribes", () => {
    const { bus, portfolio } = setup();
    bus.publish(Topic.OrderEvent, fill({ side: "BUY", qty: "0.001", price: "42000.01", strategy: S2 }));
    bus.publish(Topic.OrderEvent, fill({ side: "BUY", qty: "0.002", price: "42000.02", strategy: S1 }));
    const snap = portfolio.snapshot();
    assert.deepEqual(
      snap.strategies.map((b) => b.owner),
      ["s1", "s2"],
    );
    const json = JSON.parse(JSON.stringify(snap));
    assert.equal(json.accounts[0].positions[0].quantity, "0.003");
    assert.equal(json.accounts[0].cash.USDT, "9873.99995"); // 10000 - 42.00001 - 84.00004
    portfolio.stop();
    bus.publish(Topic.OrderEvent, fill({ side: "BUY", qty: "1", price: "1" }));
    assert.equal(portfolio.position(S1, BTCUSDT).toString(), "0.002");
    assert.equal(portfolio.positionView(strategyId("nobody"), BTCUSDT).quantity.toString(), "0");
  });

  test("bad initial cash fails with the key named", () => {
    assert.throws(
      () =>
        new Portfolio({
          bus: new MessageBus(),
          clock: new TestClock(),
          instruments: [],
          initialCash: { paper: { USDT: "lots" } },
        }),
      /initial cash paper\.USDT/,
    );
  });
});

/**
 * The reference model's numbers: bigint fixed-point with 36 decimals, twice the precision of Decimal.
 * Sums and the products of fill quantities and prices are exact; only the share of cost removed by a
 * partial close rounds, at the 36th decimal. (Exact fractions would be simplest, but their
 * denominators grow without bound over thousands of partial closes.)
 */
const WIDE = 10n ** 36n;
const wide = (x: Decimal): bigint => x.units * 10n ** 18n;
const wmul = (a: bigint, b: bigint): bigint => (a * b) / WIDE;
const wdiv = (a: bigint, b: bigint): bigint => (a * WIDE) / b;
const wabs = (a: bigint): bigint => (a < 0n ? -a : a);
/** Returns |a - b| in units of 10^-18, rounded up. */
function unitsApart(a: bigint, b: Decimal): bigint {
  const diff = wabs(a - wide(b));
  return (diff + 10n ** 18n - 1n) / 10n ** 18n;
}

/** Average-cost PnL written independently of Position, at twice its precision. */
class ReferencePosition {
  qty = 0n;
  cost = 0n;
  realized = 0n;

  trade(signedQty: bigint, price: bigint): void {
    if (signedQty === 0n) return;
    if (this.qty === 0n || this.qty > 0n === signedQty > 0n) {
      this.qty += signedQty;
      this.cost += wmul(signedQty, price);
      return;
    }
    const open = wabs(this.qty);
    let closed = wabs(signedQty);
    if (closed > open) closed = open;
    const removedCost = closed === open ? this.cost : wmul(this.cost, wdiv(closed, open));
    const closedSigned = signedQty > 0n ? closed : -closed;
    // What the closing trade receives (negative: pays), minus the cost that leaves with it.
    this.realized += -wmul(closedSigned, price) - removedCost;
    this.cost -= removedCost;
    this.qty += closedSigned;
    const rest = signedQty - closedSigned;
    if (rest !== 0n) {
      this.qty = rest;
      this.cost = wmul(rest, price);
    }
  }
}

interface GeneratedFill {
  side: OrderSide;
  qty: Decimal;
  price: Decimal;
  commission: Decimal;
  commissionAsset: "USDT" | "BTC" | "BNB";
}

/**
 * Applies fills through a real Portfolio on a real bus and checks, against sums computed here:
 * position = signed sum of fills - base-asset fees; realized + unrealized = sells - buys +
 * position x final price - quote fees; account cash per asset; and realized PnL against an exact
 * average-cost reference (only 18th-decimal rounding may differ).
 */
function checkIdentities(fills: readonly GeneratedFill[], finalPrice: Decimal, label: string): void {
  const bus = new MessageBus();
  const portfolio = new Portfolio({
    bus,
    clock: new TestClock(T0),
    instruments: [btcusdt()],
    initialCash: { paper: { USDT: "0", BNB: "0" } },
  });
  portfolio.start();
  let sells = Decimal.ZERO;
  let buys = Decimal.ZERO;
  let signedSum = Decimal.ZERO;
  const fees: Record<string, Decimal> = { USDT: Decimal.ZERO, BTC: Decimal.ZERO, BNB: Decimal.ZERO };
  const reference = new ReferencePosition();
  for (const f of fills) {
    bus.publish(
      Topic.OrderEvent,
      fill({
        side: f.side,
        qty: f.qty,
        price: f.price,
        commission: f.commission,
        commissionAsset: f.commissionAsset,
      }),
    );
    const notional = f.qty.mul(f.price);
    if (f.side === "BUY") {
      buys = buys.add(notional);
      signedSum = signedSum.add(f.qty);
    } else {
      sells = sells.add(notional);
      signedSum = signedSum.sub(f.qty);
    }
    fees[f.commissionAsset] = fees[f.commissionAsset]!.add(f.commission);
    reference.trade(f.side === "BUY" ? wide(f.qty) : -wide(f.qty), wide(f.price));
    if (f.commissionAsset === "USDT") {
      reference.realized -= wide(f.commission);
    } else if (f.commissionAsset === "BTC") {
      reference.trade(-wide(f.commission), wide(f.price));
      reference.realized -= wmul(wide(f.commission), wide(f.price));
    }
  }
  assert.equal(portfolio.stats().fillsApplied, fills.length, `${label}: every fill applied`);
  portfolio.updateMark(BTCUSDT, finalPrice, asMicros(Number.MAX_SAFE_INTEGER));
  const view = portfolio.positionView(S1, BTCUSDT);
  const position = signedSum.sub(fees["BTC"]!);
  assert.equal(
    view.quantity.toString(),
    position.toString(),
    `${label}: position = signed sum of fills - base fees`,
  );
  assert.equal(
    view.realizedPnl.add(view.unrealizedPnl).toString(),
    sells.sub(buys).add(position.mul(finalPrice)).sub(fees["USDT"]!).toString(),
    `${label}: realized + unrealized = sells - buys + position x price - fees`,
  );
  const account = portfolio.account(PAPER);
  assert.equal(
    account?.cash["USDT"]?.toString(),
    sells.sub(buys).sub(fees["USDT"]!).toString(),
    `${label}: USDT cash`,
  );
  assert.equal(account?.cash["BNB"]?.toString(), fees["BNB"]!.neg().toString(), `${label}: BNB cash`);
  assert.equal(
    portfolio.accountPosition(PAPER, BTCUSDT).quantity.toString(),
    position.toString(),
    `${label}: account`,
  );
  assert.ok(
    unitsApart(reference.realized, view.realizedPnl) <= BigInt(fills.length + 1),
    `${label}: realized ${view.realizedPnl} is off the exact reference by more than rounding`,
  );
}

const FEE_RATE = dec("0.001");
const generatedFill: fc.Arbitrary<GeneratedFill> = fc
  .record({
    side: fc.constantFrom<OrderSide>("BUY", "SELL"),
    // 0.00000001 .. 5 BTC with 8 decimals; 0.01 .. 100000 USDT with 2 decimals.
    qty: fc.integer({ min: 1, max: 500_000_000 }).map((u) => Decimal.fromUnits(BigInt(u) * 10n ** 10n)),
    price: fc.integer({ min: 1, max: 10_000_000 }).map((c) => Decimal.fromUnits(BigInt(c) * 10n ** 16n)),
    commissionAsset: fc.constantFrom<GeneratedFill["commissionAsset"]>("USDT", "BTC", "BNB"),
    feeFree: fc.boolean(),
  })
  .map(({ side, qty, price, commissionAsset, feeFree }) => {
    const base = commissionAsset === "USDT" ? qty.mul(price) : qty;
    const commission = feeFree ? Decimal.ZERO : base.mul(FEE_RATE).round(8, Rounding.HalfUp);
    return { side, qty, price, commission, commissionAsset };
  });

test("property: PnL equals cash-flow accounting and position equals the signed sum of fills, for random fills", () => {
  fc.assert(
    fc.property(
      fc.array(generatedFill, { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 10_000_000 }).map((c) => Decimal.fromUnits(BigInt(c) * 10n ** 16n)),
      (fills, finalPrice) => checkIdentities(fills, finalPrice, "random"),
    ),
    { numRuns: 300 },
  );
});

/** Rewrites JSON number text in exponent form ("1e-8", "1.5E+3") as plain decimal text, exactly. */
function plainDecimal(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/.exec(text);
  if (m === null) return text;
  const digits = m[2]! + (m[3] ?? "");
  const point = m[2]!.length + Number(m[4]);
  const body =
    point <= 0
      ? `0.${"0".repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + "0".repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return m[1] + body;
}

const BBGO_TRADES = fileURLToPath(new URL("../../../shared/data/bbgo/btcusdt-trades.json", import.meta.url));

test("real Binance BTCUSDT fills (bbgo: 3432 fills, fees in BTC, BNB and USDT) keep the identities", (t) => {
  if (!existsSync(BBGO_TRADES)) {
    t.skip(
      `bbgo fill history not found at ${BBGO_TRADES}; it is read from ../shared (AGPL, never copied here)`,
    );
    return;
  }
  // Numbers are taken from their source text, so 0.00006019 stays exactly that, never a float.
  const reviver = (_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && context?.source !== undefined ? plainDecimal(context.source) : value;
  const rows = JSON.parse(
    readFileSync(BBGO_TRADES, "utf8"),
    reviver as (k: string, v: unknown) => unknown,
  ) as Array<Record<string, string>>;
  assert.equal(rows.length, 3432);
  assert.equal(plainDecimal("1e-8"), "0.00000001");
  assert.equal(plainDecimal("1.25e-3"), "0.00125");
  assert.equal(plainDecimal("1.5E+3"), "1500");
  const fills = rows.map((r): GeneratedFill => {
    assert.equal(r["symbol"], "BTCUSDT");
    const asset = r["feeCurrency"];
    assert.ok(asset === "USDT" || asset === "BTC" || asset === "BNB", `fee currency ${asset}`);
    return {
      side: r["side"] as OrderSide,
      qty: dec(r["quantity"]!),
      price: dec(r["price"]!),
      commission: dec(r["fee"]!),
      commissionAsset: asset,
    };
  });
  assert.deepEqual(new Set(fills.map((f) => f.commissionAsset)), new Set(["USDT", "BTC", "BNB"]));
  checkIdentities(fills, fills.at(-1)!.price, "bbgo");
});
