import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pino } from "pino";
import { Decimal, type StrategyId, strategyId } from "../core/index.ts";
import type { OrderFilled } from "../model/index.ts";
import { SqliteStore } from "../persistence/index.ts";
import type { Portfolio } from "../portfolio/index.ts";
import {
  BTCUSDT,
  makeFill,
  newPortfolio,
  PAPER,
  STRATEGIES,
} from "../portfolio/test-support/books-fixture.ts";
import { rebuildPortfolio, saveBooksSnapshot } from "./restart-recovery.ts";

const BOOKS_ID = strategyId("__portfolio-books__");
const silent = pino({ level: "silent" });
const noBaselines = { setRealizedPnlBaseline: () => {} };

function fills(from: number, to: number): OrderFilled[] {
  const out: OrderFilled[] = [];
  for (let n = from; n <= to; n++) {
    out.push(
      makeFill({
        n,
        strategy: STRATEGIES[n % 2] as StrategyId,
        account: PAPER,
        instrument: BTCUSDT,
        side: n % 3 === 0 ? "SELL" : "BUY",
        qty: Decimal.from("0.01"),
        price: Decimal.from(String(40_000 + n * 7)),
        commission: Decimal.from("0.00001"),
        commissionAsset: "BTC",
      }),
    );
  }
  return out;
}

/** A store holding fills 1..40 with a books snapshot taken after fill 20, and the live portfolio. */
function storeWithSnapshotAt20(): { store: SqliteStore; live: Portfolio } {
  const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), "des-recovery-")), "des.sqlite"));
  const live = newPortfolio();
  const apply = (batch: OrderFilled[]) => {
    for (const f of batch) {
      live.applyFill(f);
      store.recordOrderEvent(f);
    }
    store.flush();
  };
  apply(fills(1, 20));
  saveBooksSnapshot(store, live, 1);
  apply(fills(21, 40));
  return { store, live };
}

test("a restart restores the books snapshot and applies only the fills written after it", () => {
  const { store, live } = storeWithSnapshotAt20();
  const restarted = newPortfolio();
  const rebuild = rebuildPortfolio(store, restarted, noBaselines, PAPER, silent);
  assert.deepEqual(rebuild, { from: "snapshot", fills: 20 });
  assert.deepEqual(restarted.exportBooks().books, live.exportBooks().books);
  store.close();
});

test("the realized PnL of every restored strategy position becomes execution's baseline", () => {
  const { store, live } = storeWithSnapshotAt20();
  const baselines = new Map<string, string>();
  const execution = {
    setRealizedPnlBaseline: (s: StrategyId, i: string, pnl: Decimal) =>
      baselines.set(`${s}|${i}`, pnl.toString()),
  };
  rebuildPortfolio(store, newPortfolio(), execution, PAPER, silent);
  for (const s of STRATEGIES.slice(0, 2)) {
    assert.equal(baselines.get(`${s}|${BTCUSDT}`), live.positionView(s, BTCUSDT).realizedPnl.toString());
  }
  store.close();
});

/** A restart that must replay every stored fill: same books as the live portfolio. */
function assertFullReplay(store: SqliteStore, live: Portfolio): void {
  const restarted = newPortfolio();
  assert.deepEqual(rebuildPortfolio(store, restarted, noBaselines, PAPER, silent), {
    from: "fills",
    fills: 40,
  });
  assert.deepEqual(restarted.exportBooks().books, live.exportBooks().books);
  store.close();
}

test("a refused snapshot falls back to replaying every stored fill, with the same books", () => {
  const { store, live } = storeWithSnapshotAt20();
  store.saveNow(BOOKS_ID, { version: 99, books: "corrupt" });
  assertFullReplay(store, live);
});

test("a snapshot with a stored last fill but corrupt books falls back, leaving no half-restored book", () => {
  const { store, live } = storeWithSnapshotAt20();
  const good = store.loadNow(BOOKS_ID) as Record<string, unknown>;
  store.saveNow(BOOKS_ID, {
    ...good,
    books: [{ kind: "strategy", id: "s1", cash: { USDT: "not a number" } }],
  });
  assertFullReplay(store, live);
});

test("a snapshot whose last fill is not stored falls back to replaying every stored fill", () => {
  const { store, live } = storeWithSnapshotAt20();
  const snapshot = newPortfolio().exportBooks();
  store.saveNow(BOOKS_ID, {
    ...snapshot,
    lastFill: {
      accountId: PAPER,
      instrumentId: BTCUSDT,
      tradeId: "never-stored",
      clientOrderId: "c0",
      ts: 1,
    },
  });
  assertFullReplay(store, live);
});
