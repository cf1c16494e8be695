import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { pino } from "pino";
import { Decimal, type StrategyId, strategyId } from "../core/index.ts";
import type { OrderFilled } from "../model/index.ts";
import { type DesStore, openEmbeddedStore, SqlDesStore } from "../persistence/index.ts";
import { openTestPostgres } from "../persistence/test-support/postgres-test-db.ts";
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

/** Opens an empty store of one kind for one test (undefined: skipped, PostgreSQL unreachable outside CI). */
interface StoreKind {
  readonly name: string;
  open(t: TestContext): Promise<DesStore | undefined>;
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "des-recovery-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const STORE_KINDS: readonly StoreKind[] = [
  { name: "sqlite", open: async (t) => openEmbeddedStore({ dbPath: join(tempDir(t), "des.sqlite") }) },
  {
    name: "postgres",
    open: async (t) => {
      const driver = await openTestPostgres(t);
      if (driver === undefined) return undefined;
      return SqlDesStore.open({ driver, journalPath: join(tempDir(t), "journal.sqlite") });
    },
  },
];

/** A store holding fills 1..40 with a books snapshot taken after fill 20, and the live portfolio. */
async function storeWithSnapshotAt20(
  kind: StoreKind,
  t: TestContext,
): Promise<{ store: DesStore; live: Portfolio } | undefined> {
  const store = await kind.open(t);
  if (store === undefined) return undefined;
  t.after(() => store.close());
  const live = newPortfolio();
  const apply = async (batch: OrderFilled[]) => {
    for (const f of batch) {
      live.applyFill(f);
      store.recordOrderEvent(f);
    }
    await store.flush();
  };
  await apply(fills(1, 20));
  await saveBooksSnapshot(store, live, 1);
  await apply(fills(21, 40));
  return { store, live };
}

/** A restart that must replay every stored fill: same books as the live portfolio. */
async function assertFullReplay(store: DesStore, live: Portfolio): Promise<void> {
  const restarted = newPortfolio();
  assert.deepEqual(await rebuildPortfolio(store, restarted, noBaselines, PAPER, silent), {
    from: "fills",
    fills: 40,
  });
  assert.deepEqual(restarted.exportBooks().books, live.exportBooks().books);
}

for (const kind of STORE_KINDS) {
  test(`${kind.name}: a restart restores the books snapshot and applies only the fills written after it`, async (t) => {
    const stored = await storeWithSnapshotAt20(kind, t);
    if (stored === undefined) return;
    const restarted = newPortfolio();
    const rebuild = await rebuildPortfolio(stored.store, restarted, noBaselines, PAPER, silent);
    assert.deepEqual(rebuild, { from: "snapshot", fills: 20 });
    assert.deepEqual(restarted.exportBooks().books, stored.live.exportBooks().books);
  });

  test(`${kind.name}: the realized PnL of every restored strategy position becomes execution's baseline`, async (t) => {
    const stored = await storeWithSnapshotAt20(kind, t);
    if (stored === undefined) return;
    const baselines = new Map<string, string>();
    const execution = {
      setRealizedPnlBaseline: (s: StrategyId, i: string, pnl: Decimal) =>
        baselines.set(`${s}|${i}`, pnl.toString()),
    };
    await rebuildPortfolio(stored.store, newPortfolio(), execution, PAPER, silent);
    for (const s of STRATEGIES.slice(0, 2)) {
      assert.equal(
        baselines.get(`${s}|${BTCUSDT}`),
        stored.live.positionView(s, BTCUSDT).realizedPnl.toString(),
      );
    }
  });

  test(`${kind.name}: without a snapshot every stored fill is replayed, with the same books`, async (t) => {
    const stored = await storeWithSnapshotAt20(kind, t);
    if (stored === undefined) return;
    await stored.store.save(BOOKS_ID, null);
    await assertFullReplay(stored.store, stored.live);
  });

  test(`${kind.name}: a refused snapshot falls back to replaying every stored fill, with the same books`, async (t) => {
    const stored = await storeWithSnapshotAt20(kind, t);
    if (stored === undefined) return;
    await stored.store.save(BOOKS_ID, { version: 99, books: "corrupt" });
    await assertFullReplay(stored.store, stored.live);
  });

  test(`${kind.name}: a snapshot with a stored last fill but corrupt books falls back, leaving no half-restored book`, async (t) => {
    const stored = await storeWithSnapshotAt20(kind, t);
    if (stored === undefined) return;
    const good = (await stored.store.load(BOOKS_ID)) as Record<string, unknown>;
    await stored.store.save(BOOKS_ID, {
      ...good,
      books: [{ kind: "strategy", id: "s1", cash: { USDT: "not a number" } }],
    });
    await assertFullReplay(stored.store, stored.live);
  });

  test(`${kind.name}: a snapshot whose last fill is not stored falls back to replaying every stored fill`, async (t) => {
    const stored = await storeWithSnapshotAt20(kind, t);
    if (stored === undefined) return;
    const snapshot = newPortfolio().exportBooks();
    await stored.store.save(BOOKS_ID, {
      ...snapshot,
      lastFill: {
        accountId: PAPER,
        instrumentId: BTCUSDT,
        tradeId: "never-stored",
        clientOrderId: "c0",
        ts: 1,
      },
    });
    await assertFullReplay(stored.store, stored.live);
  });
}
