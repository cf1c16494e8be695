import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ErrorCode, isDesError } from "../core/index.ts";
import { Atr, BollingerBands, Ema, Macd, Rsi, Sma, StdDev, Stochastic, Wma } from "./index.ts";

// Saving an indicator (through JSON text, as a strategy's state is stored) and restoring it must
// continue with bit-identical outputs; reset must behave like a new instance.

interface Bar {
  high: number;
  low: number;
  close: number;
}

interface Case {
  name: string;
  make: () => unknown;
  restore: (snapshot: unknown) => unknown;
  feed: (ind: unknown, bar: Bar) => void;
  read: (ind: unknown) => number[];
}

type Single = { update(v: number): void; isReady: boolean };
type BarInput = { update(h: number, l: number, c: number): void; isReady: boolean };

function single<T extends Single>(
  name: string,
  make: () => T,
  restore: (s: unknown) => T,
  read: (i: T) => number[],
): Case {
  return {
    name,
    make,
    restore,
    feed: (i, b) => (i as T).update(b.close),
    read: (i) => [Number((i as T).isReady), ...read(i as T)],
  };
}

function barInput<T extends BarInput>(
  name: string,
  make: () => T,
  restore: (s: unknown) => T,
  read: (i: T) => number[],
): Case {
  return {
    name,
    make,
    restore,
    feed: (i, b) => (i as T).update(b.high, b.low, b.close),
    read: (i) => [Number((i as T).isReady), ...read(i as T)],
  };
}

const CASES: Case[] = [
  single(
    "Sma",
    () => new Sma(5),
    Sma.fromJSON,
    (i) => [i.value],
  ),
  single(
    "Ema",
    () => new Ema(5),
    Ema.fromJSON,
    (i) => [i.value],
  ),
  single(
    "Wma",
    () => new Wma(5),
    Wma.fromJSON,
    (i) => [i.value],
  ),
  single(
    "Rsi",
    () => new Rsi(5),
    Rsi.fromJSON,
    (i) => [i.value],
  ),
  single(
    "StdDev",
    () => new StdDev(5),
    StdDev.fromJSON,
    (i) => [i.value, i.mean],
  ),
  single(
    "Macd",
    () => new Macd(3, 6, 4),
    Macd.fromJSON,
    (i) => [i.macd, i.signal, i.histogram],
  ),
  single(
    "BollingerBands",
    () => new BollingerBands(5, 2),
    BollingerBands.fromJSON,
    (i) => [i.upper, i.middle, i.lower],
  ),
  barInput(
    "Atr",
    () => new Atr(5),
    Atr.fromJSON,
    (i) => [i.value],
  ),
  barInput(
    "Stochastic",
    () => new Stochastic(5, 3, 2),
    Stochastic.fromJSON,
    (i) => [i.k, i.d],
  ),
];

const bars = fc
  .array(
    fc.tuple(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.nat(500),
      fc.nat(500),
      fc.integer({ min: 1, max: 3 }),
    ),
    { maxLength: 1500, size: "max" },
  )
  .map((rows) =>
    rows.flatMap(([c, up, down, n]) =>
      new Array<Bar>(n).fill({ high: (c + up) / 100, low: (c - down) / 100, close: c / 100 }),
    ),
  );

const roundTrip = (ind: unknown): unknown => JSON.parse(JSON.stringify(ind));

function assertSameOutputs(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length);
  for (const [i, v] of actual.entries()) {
    assert.ok(Object.is(v, expected[i]), `${what} output ${i}: ${v} !== ${expected[i]}`);
  }
}

describe("snapshot and restore", () => {
  for (const c of CASES) {
    test(`${c.name}: a restored copy continues with identical outputs`, () => {
      fc.assert(
        fc.property(bars, fc.nat(), (series, cut) => {
          const split = series.length === 0 ? 0 : cut % (series.length + 1);
          const original = c.make();
          for (const b of series.slice(0, split)) c.feed(original, b);
          const copy = c.restore(roundTrip(original));
          assertSameOutputs(c.read(copy), c.read(original), "at restore");
          series.slice(split).forEach((b, i) => {
            c.feed(original, b);
            c.feed(copy, b);
            assertSameOutputs(c.read(copy), c.read(original), `${split + i}`);
          });
          assert.equal(JSON.stringify(copy), JSON.stringify(original));
        }),
        { numRuns: 30 },
      );
    });

    test(`${c.name}: reset behaves like a new instance`, () => {
      fc.assert(
        fc.property(bars, bars, (before, after) => {
          const used = c.make();
          for (const b of before) c.feed(used, b);
          (used as { reset(): void }).reset();
          const fresh = c.make();
          assert.equal(JSON.stringify(used), JSON.stringify(fresh));
          for (const b of after) {
            c.feed(used, b);
            c.feed(fresh, b);
            assertSameOutputs(c.read(used), c.read(fresh), "after reset");
          }
        }),
        { numRuns: 20 },
      );
    });

    test(`${c.name}: rejects snapshots that are not its own or are damaged`, () => {
      const ind = c.make();
      for (let i = 0; i < 12; i++)
        c.feed(ind, { high: 12 + (i % 3), low: 9 - (i % 2), close: 10 + (i % 4) / 2 });
      const good = roundTrip(ind) as Record<string, unknown>;
      const damaged: unknown[] = [
        null,
        42,
        "snapshot",
        [],
        { ...good, kind: "other" },
        { ...good, version: 2 },
        ...Object.keys(good)
          .filter((k) => k !== "kind" && k !== "version")
          .flatMap((k) => [
            { ...good, [k]: undefined },
            { ...good, [k]: "x" },
          ]),
      ];
      for (const bad of damaged) {
        assert.throws(
          () => c.restore(bad),
          (e: unknown) => isDesError(e, ErrorCode.InvalidIndicatorState) && e.message.includes(c.name),
          `${c.name}.fromJSON(${JSON.stringify(bad)})`,
        );
      }
    });
  }

  test("windowed snapshots longer than their period are rejected", () => {
    const sma = new Sma(3);
    for (const v of [1, 2, 3, 4]) sma.update(v);
    assert.throws(
      () => Sma.fromJSON({ ...sma.toJSON(), window: [1, 2, 3, 4] }),
      (e: unknown) => isDesError(e, ErrorCode.InvalidIndicatorState) && /longer than period/.test(e.message),
    );
    assert.throws(() => Sma.fromJSON({ ...sma.toJSON(), period: 0, window: [] }), /Sma period/);
    const stoch = new Stochastic(3, 2, 2);
    const s = stoch.toJSON();
    const range = { filled: 1, highs: [[1, 0]], lows: [[2, 0]] };
    assert.throws(
      () => Stochastic.fromJSON({ ...s, range }),
      /Stochastic snapshot is invalid: range: the newest low/,
    );
    assert.throws(() => Stochastic.fromJSON({ ...s, range: { ...range, filled: 4 } }), /above the window/);
    assert.throws(() => Stochastic.fromJSON({ ...s, slowK: new Sma(9).toJSON() }), /slowK\/slowD periods/);
    const bands = new BollingerBands(4, 2).toJSON();
    assert.throws(
      () => BollingerBands.fromJSON({ ...bands, stdDev: new StdDev(5).toJSON() }),
      /stdDev period/,
    );
    assert.throws(
      () => BollingerBands.fromJSON({ ...bands, stdDev: new Sma(4).toJSON() }),
      /StdDev snapshot/,
    );
  });

  test("a snapshot is plain JSON that names the indicator", () => {
    const ema = new Ema(3);
    for (const v of [1, 2, 3, 4]) ema.update(v);
    assert.deepEqual(JSON.parse(JSON.stringify({ state: ema })), {
      state: { kind: "ema", version: 1, period: 3, count: 3, sum: 6, ema: 3 },
    });
  });
});
