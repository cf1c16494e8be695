import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../core/index.ts";
import { KlineSeries } from "./kline-series.ts";

const M = 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0);

function trade(
  s: KlineSeries,
  id: number,
  t: number,
  price: string,
  qty: string,
  buyerIsMaker = false,
): boolean {
  s.advanceTo(t);
  const p = dec(price);
  const q = dec(qty);
  return s.addTrade(p, q, p.mul(q), buyerIsMaker, id, id, t);
}

test("trades build OHLCV, taker-buy volumes, trade ids and counts", () => {
  const s = new KlineSeries("1m", 10);
  trade(s, 1, T0 + 1000, "10", "1");
  trade(s, 2, T0 + 2000, "12", "2", true);
  trade(s, 3, T0 + 3000, "9", "0.5");
  trade(s, 4, T0 + 4000, "11", "1");
  const k = s.current()!;
  assert.deepEqual(
    { t: k.t, T: k.T, o: k.o, h: k.h, l: k.l, c: k.c, v: k.v, n: k.n, f: k.f, L: k.L, x: k.x },
    {
      t: T0,
      T: T0 + M - 1,
      o: "10.00000000",
      h: "12.00000000",
      l: "9.00000000",
      c: "11.00000000",
      v: "4.50000000",
      n: 4,
      f: 1,
      L: 4,
      x: false,
    },
  );
  assert.equal(k.q, "49.50000000");
  assert.equal(k.V, "2.50000000");
  assert.equal(k.Q, "25.50000000");
});

test("each kline closes exactly once; a minute without trades repeats the previous close", () => {
  const s = new KlineSeries("1m", 10);
  trade(s, 1, T0 + 5000, "10", "1");
  assert.equal(s.advanceTo(T0 + 30_000).length, 0);
  const closed = s.advanceTo(T0 + 3 * M + 1);
  assert.equal(closed.length, 3);
  assert.deepEqual(
    closed.map((k) => [k.t, k.n, k.o.toString(), k.c.toString(), k.f]),
    [
      [T0, 1, "10", "10", 1],
      [T0 + M, 0, "10", "10", -1],
      [T0 + 2 * M, 0, "10", "10", -1],
    ],
  );
  assert.equal(s.advanceTo(T0 + 3 * M + 2).length, 0, "nothing closes twice");
  // The first trade of an empty minute sets its open.
  trade(s, 2, T0 + 3 * M + 10, "12", "1");
  assert.equal(s.current()!.o, "12.00000000");
  assert.equal(s.closedKlines().length, 3);
});

test("ids already counted are ignored (a captured kline includes a trade that arrives after it)", () => {
  const s = new KlineSeries("1m", 10);
  s.advanceTo(T0 + 1000);
  s.seed(
    {
      o: dec("1"),
      h: dec("2"),
      l: dec("1"),
      c: dec("2"),
      v: dec("5"),
      q: dec("7"),
      V: dec("5"),
      Q: dec("7"),
      n: 3,
      f: 10,
      L: 12,
    },
    T0 + 1000,
  );
  assert.equal(trade(s, 12, T0 + 1500, "2", "1"), false);
  assert.equal(s.current()!.n, 3);
  assert.equal(trade(s, 13, T0 + 1600, "3", "1"), true);
  assert.equal(s.current()!.n, 4);
  assert.equal(s.current()!.h, "3.00000000");
});

test("query follows Binance's paging: startTime, endTime, both, neither; limit; the open kline last", () => {
  const s = new KlineSeries("1m", 100);
  for (let i = 0; i < 10; i++) trade(s, i + 1, T0 + i * M + 1, String(100 + i), "1");
  // 9 closed + the open one.
  const opens = (ks: { t: number }[]): number[] => ks.map((k) => (k.t - T0) / M);
  assert.deepEqual(opens(s.query(undefined, undefined, 3)), [7, 8, 9]);
  assert.equal(s.query(undefined, undefined, 3)[2]!.x, false);
  assert.deepEqual(opens(s.query(T0 + 2 * M, undefined, 3)), [2, 3, 4]);
  assert.deepEqual(opens(s.query(T0 + 2 * M + 1, undefined, 2)), [3, 4], "startTime inside a kline skips it");
  assert.deepEqual(opens(s.query(undefined, T0 + 4 * M, 2)), [3, 4]);
  assert.deepEqual(opens(s.query(T0 + 2 * M, T0 + 4 * M, 10)), [2, 3, 4]);
  assert.deepEqual(opens(s.query(T0 + 20 * M, undefined, 10)), []);
});

test("the series keeps at most `capacity` closed klines, dropping the oldest", () => {
  const s = new KlineSeries("1m", 3);
  trade(s, 1, T0, "1", "1");
  s.advanceTo(T0 + 10 * M);
  assert.equal(s.closedKlines().length, 3);
  assert.equal(s.closedKlines()[0]!.t, T0 + 7 * M);
});
