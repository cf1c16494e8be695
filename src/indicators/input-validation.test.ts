import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ErrorCode, isDesError } from "../core/index.ts";
import { Atr, BollingerBands, Ema, MAX_PERIOD, Macd, Rsi, Sma, StdDev, Stochastic, Wma } from "./index.ts";

// Bad parameters fail at construction with a message naming the parameter and the value; bad
// market data fails with InvalidMarketData and leaves the indicator exactly as it was.

const BAD_PERIODS = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_PERIOD + 1];

function assertParamError(fn: () => unknown, param: string, value: number): void {
  assert.throws(
    fn,
    (e: unknown) =>
      isDesError(e, ErrorCode.InvalidStrategyParams) &&
      e.message.includes(param) &&
      e.message.includes(String(value)) &&
      e.details["param"] === param,
    `${param} = ${value}`,
  );
}

describe("parameter validation", () => {
  const singlePeriod: [string, (p: number) => unknown][] = [
    ["Sma", (p) => new Sma(p)],
    ["Ema", (p) => new Ema(p)],
    ["Wma", (p) => new Wma(p)],
    ["Rsi", (p) => new Rsi(p)],
    ["StdDev", (p) => new StdDev(p)],
    ["Atr", (p) => new Atr(p)],
    ["BollingerBands", (p) => new BollingerBands(p, 2)],
  ];
  for (const [name, make] of singlePeriod) {
    test(`${name} rejects periods that are not integers in 1..${MAX_PERIOD}`, () => {
      for (const p of BAD_PERIODS) assertParamError(() => make(p), "period", p);
      assert.doesNotThrow(() => make(1));
      assert.doesNotThrow(() => make(MAX_PERIOD));
    });
  }

  test("Macd checks each period and needs fast < slow", () => {
    for (const p of BAD_PERIODS) {
      assertParamError(() => new Macd(p, 26, 9), "fastPeriod", p);
      assertParamError(() => new Macd(12, p, 9), "slowPeriod", p);
      assertParamError(() => new Macd(12, 26, p), "signalPeriod", p);
    }
    assertParamError(() => new Macd(26, 12, 9), "fastPeriod", 26);
    assertParamError(() => new Macd(12, 12, 9), "fastPeriod", 12);
    assert.doesNotThrow(() => new Macd(1, 2, 1));
  });

  test("Stochastic checks each period", () => {
    for (const p of BAD_PERIODS) {
      assertParamError(() => new Stochastic(p, 3, 3), "fastKPeriod", p);
      assertParamError(() => new Stochastic(14, p, 3), "slowKPeriod", p);
      assertParamError(() => new Stochastic(14, 3, p), "slowDPeriod", p);
    }
  });

  test("BollingerBands needs a finite k above 0", () => {
    for (const k of [0, -2, Number.NaN, Number.POSITIVE_INFINITY]) {
      assertParamError(() => new BollingerBands(20, k), "k", k);
    }
  });
});

interface Subject {
  name: string;
  make: () => { toJSON(): unknown; isReady: boolean };
  good: (ind: unknown, i: number) => void;
  bad: [string, (ind: unknown) => void][];
  read: (ind: unknown) => number[];
}

const NON_FINITE = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
const price = (i: number): number => 100 + ((i * 37) % 11) - 5;

function singleSubject<T extends { update(v: number): void; toJSON(): unknown; isReady: boolean }>(
  name: string,
  make: () => T,
  read: (i: T) => number[],
): Subject {
  return {
    name,
    make,
    good: (ind, i) => (ind as T).update(price(i)),
    bad: NON_FINITE.map((v) => [String(v), (ind) => (ind as T).update(v)]),
    read: (ind) => read(ind as T),
  };
}

function barSubject<
  T extends { update(h: number, l: number, c: number): void; toJSON(): unknown; isReady: boolean },
>(name: string, make: () => T, read: (i: T) => number[]): Subject {
  const bad: [string, (ind: unknown) => void][] = [];
  for (const v of NON_FINITE) {
    bad.push([`high ${v}`, (ind) => (ind as T).update(v, 99, 100)]);
    bad.push([`low ${v}`, (ind) => (ind as T).update(101, v, 100)]);
    bad.push([`close ${v}`, (ind) => (ind as T).update(101, 99, v)]);
  }
  bad.push(["low above high", (ind) => (ind as T).update(99, 101, 100)]);
  bad.push(["close above high", (ind) => (ind as T).update(101, 99, 102)]);
  bad.push(["close below low", (ind) => (ind as T).update(101, 99, 98)]);
  return {
    name,
    make,
    good: (ind, i) => (ind as T).update(price(i) + 2, price(i) - 3, price(i)),
    bad,
    read: (ind) => read(ind as T),
  };
}

const SUBJECTS: Subject[] = [
  singleSubject(
    "Sma",
    () => new Sma(4),
    (i) => [i.value],
  ),
  singleSubject(
    "Ema",
    () => new Ema(4),
    (i) => [i.value],
  ),
  singleSubject(
    "Wma",
    () => new Wma(4),
    (i) => [i.value],
  ),
  singleSubject(
    "Rsi",
    () => new Rsi(4),
    (i) => [i.value],
  ),
  singleSubject(
    "StdDev",
    () => new StdDev(4),
    (i) => [i.value, i.mean],
  ),
  singleSubject(
    "Macd",
    () => new Macd(2, 4, 3),
    (i) => [i.macd, i.signal, i.histogram],
  ),
  singleSubject(
    "BollingerBands",
    () => new BollingerBands(4, 2),
    (i) => [i.upper, i.middle, i.lower],
  ),
  barSubject(
    "Atr",
    () => new Atr(4),
    (i) => [i.value],
  ),
  barSubject(
    "Stochastic",
    () => new Stochastic(4, 2, 2),
    (i) => [i.k, i.d],
  ),
];

describe("bad market data", () => {
  for (const s of SUBJECTS) {
    test(`${s.name} rejects bad input and keeps its state`, () => {
      // Before ready, at the edge of ready, and long after.
      for (const warm of [0, 3, 5, 30]) {
        const ind = s.make();
        const control = s.make();
        for (let i = 0; i < warm; i++) {
          s.good(ind, i);
          s.good(control, i);
        }
        const before = JSON.stringify(ind);
        for (const [what, feedBad] of s.bad) {
          assert.throws(
            () => feedBad(ind),
            (e: unknown) => isDesError(e, ErrorCode.InvalidMarketData) && e.message.includes(s.name),
            `${s.name} after ${warm} inputs, ${what}`,
          );
          assert.equal(JSON.stringify(ind), before, `${s.name} state changed by ${what}`);
        }
        for (let i = warm; i < warm + 20; i++) {
          s.good(ind, i);
          s.good(control, i);
          assert.deepEqual(s.read(ind), s.read(control));
        }
        assert.ok(ind.isReady);
      }
    });
  }
});
