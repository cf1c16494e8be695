import type { Logger } from "pino";
import {
  type AccountId,
  Decimal,
  type InstrumentId,
  type StrategyId,
  strategyId,
  type TradeId,
  toError,
} from "../core/index.ts";
import type { ExecutionEngine, RecoveryOptions, RecoveryReport, RestoredOrder } from "../execution/index.ts";
import type { Instrument, OrderFilled, VenuePort } from "../model/index.ts";
import type { DesStore } from "../persistence/index.ts";
import type { Portfolio } from "../portfolio/index.ts";
import { bookAssetTotals } from "./book-asset-totals.ts";

/** The strategy_state row holding the cash the account's book started from (ids are checked: no strategy can be named so). */
const BASELINE_ID: StrategyId = strategyId("__portfolio-baseline__");
/** The strategy_state row holding the last books snapshot (Portfolio.exportBooks). */
const BOOKS_ID: StrategyId = strategyId("__portfolio-books__");
/** The strategy id orders adopted from the venue are booked under. */
export const ADOPTED_STRATEGY: StrategyId = strategyId("adopted");

interface StoredBaseline {
  readonly accountId: string;
  readonly cash: Record<string, string>;
  readonly since: number;
}

/**
 * Returns the cash the account's book starts from. The first run stores what the venue holds; a
 * restart uses the stored baseline, because the stored fills since then are replayed on top of it
 * (using the venue's current balances would count those fills twice).
 */
export async function portfolioBaseline(
  store: DesStore,
  accountId: AccountId,
  venueCash: Readonly<Record<string, string>>,
  nowUs: number,
): Promise<{ cash: Readonly<Record<string, string>>; restored: boolean }> {
  const saved = (await store.load(BASELINE_ID)) as StoredBaseline | undefined;
  if (saved !== undefined && saved !== null && saved.accountId === accountId && isCashRecord(saved.cash)) {
    return { cash: saved.cash, restored: true };
  }
  const baseline: StoredBaseline = { accountId, cash: { ...venueCash }, since: nowUs };
  await store.save(BASELINE_ID, baseline, nowUs);
  return { cash: venueCash, restored: false };
}

function isCashRecord(value: unknown): value is Record<string, string> {
  if (value === null || typeof value !== "object") return false;
  return Object.values(value).every((v) => typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v));
}

/**
 * Saves an exact snapshot of every book, with the last fill it includes, in the store. Call it only
 * after the store has written every fill the portfolio applied (after a flush, in the same tick):
 * a snapshot must never be durable before its fills.
 */
export function saveBooksSnapshot(store: DesStore, portfolio: Portfolio, nowUs: number): Promise<void> {
  return store.save(BOOKS_ID, portfolio.exportBooks(), nowUs);
}

/** How the books were rebuilt at start. */
export interface BooksRebuild {
  /** "snapshot": the stored snapshot plus the fills after it; "fills": every stored fill replayed. */
  readonly from: "snapshot" | "fills";
  /** Fills applied on top (all of them for "fills"). */
  readonly fills: number;
}

/**
 * Rebuilds the books (before execution listens, so risk does not count history as today's PnL):
 * from the stored books snapshot and the fills written after its last fill, or, without a usable
 * snapshot (none, refused, or its last fill not stored), from every stored fill on the baseline
 * cash. Then gives execution each position's realized PnL as its baseline.
 */
export async function rebuildPortfolio(
  store: DesStore,
  portfolio: Portfolio,
  execution: Pick<ExecutionEngine, "setRealizedPnlBaseline">,
  accountId: AccountId,
  log: Logger,
): Promise<BooksRebuild> {
  const after = await restoreBooksSnapshot(store, portfolio, accountId, log);
  const fills = after ?? store.eachAccountFill(accountId);
  let applied = 0;
  if (Symbol.asyncIterator in fills) {
    for await (const fill of fills) if (portfolio.applyFill(fill)) applied++;
  } else {
    // The embedded store streams synchronously: no await per fill on a long replay.
    for (const fill of fills) if (portfolio.applyFill(fill)) applied++;
  }
  for (const book of portfolio.snapshot().strategies) {
    for (const p of book.positions) {
      execution.setRealizedPnlBaseline(book.owner as StrategyId, p.instrumentId, p.realizedPnl);
    }
  }
  return { from: after === undefined ? "fills" : "snapshot", fills: applied };
}

/** Restores the stored snapshot; returns the fills written after it, or undefined to replay all. */
async function restoreBooksSnapshot(
  store: DesStore,
  portfolio: Portfolio,
  accountId: AccountId,
  log: Logger,
): Promise<readonly OrderFilled[] | undefined> {
  let saved: unknown;
  try {
    saved = await store.load(BOOKS_ID);
  } catch (e) {
    log.warn({ err: toError(e).message }, "books snapshot unreadable: replaying every stored fill");
    return undefined;
  }
  if (saved === undefined || saved === null) return undefined;
  // The fills after the snapshot are looked up first: restoreBooks validates the whole snapshot
  // (once) and either replaces the books or leaves them untouched, so a fallback needs no undo.
  const last = lastFillOf(saved);
  if (last === undefined) {
    log.warn("books snapshot refused (no readable last fill): replaying every stored fill");
    return undefined;
  }
  const after =
    last === null
      ? await allOf(store.eachAccountFill(accountId))
      : last.accountId === accountId
        ? await store.accountFillsAfter(accountId, last.tradeId as TradeId)
        : undefined;
  if (after === undefined) {
    log.warn({ lastFill: last }, "books snapshot's last fill is not stored: replaying every stored fill");
    return undefined;
  }
  try {
    portfolio.restoreBooks(saved);
  } catch (e) {
    log.warn({ err: toError(e).message }, "books snapshot refused: replaying every stored fill");
    return undefined;
  }
  return after;
}

/** Every item of a sync or async iterable, in order. */
async function allOf<T>(items: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The account and trade id of a stored snapshot's last fill; null: none yet; undefined: malformed. */
function lastFillOf(saved: unknown): { accountId: string; tradeId: string } | null | undefined {
  const last = (saved as { lastFill?: unknown }).lastFill;
  if (last === null) return null;
  if (typeof last !== "object" || last === undefined) return undefined;
  const { accountId, tradeId } = last as Record<string, unknown>;
  return typeof accountId === "string" && typeof tradeId === "string" ? { accountId, tradeId } : undefined;
}

/** Tracks again, in execution, the orders whose intents are not done in the journal. Returns how many. */
export async function restoreJournaledOrders(store: DesStore, execution: ExecutionEngine): Promise<number> {
  const orders: RestoredOrder[] = (await store.openIntents()).map((i) => ({
    ...i,
    accepted: i.lastStatus !== "SUBMITTED" && i.lastStatus !== "INITIALIZED",
  }));
  return execution.restore(orders);
}

/** Runs start-up reconciliation with the venue and logs what it did. */
export async function reconcileWithVenue(
  execution: ExecutionEngine,
  options: RecoveryOptions,
  log: Logger,
): Promise<RecoveryReport> {
  const report = await execution.recover(options);
  log.info({ ...report }, "start-up reconciliation with the venue done");
  return report;
}

/**
 * Compares the account's book with the venue's balances (free + locked) and logs every asset that
 * differs: deposits, withdrawals or trading outside DES. Nothing is changed: the operator decides.
 * Returns the differing assets.
 */
export async function compareBalances(
  portfolio: Portfolio,
  venue: VenuePort,
  instruments: ReadonlyMap<InstrumentId, Instrument>,
  log: Logger,
): Promise<Record<string, { des: string; venue: string }>> {
  const venueTotals = new Map<string, Decimal>();
  for (const b of await venue.balances()) venueTotals.set(b.asset, b.free.add(b.locked));
  const desTotals = bookAssetTotals(portfolio.account(venue.accountId), instruments);
  const drift: Record<string, { des: string; venue: string }> = {};
  for (const asset of new Set([...venueTotals.keys(), ...desTotals.keys()])) {
    const des = desTotals.get(asset) ?? Decimal.ZERO;
    const atVenue = venueTotals.get(asset) ?? Decimal.ZERO;
    if (!des.eq(atVenue)) drift[asset] = { des: des.toString(), venue: atVenue.toString() };
  }
  if (Object.keys(drift).length > 0) {
    log.warn(
      { drift },
      "account balances differ from the venue's (deposits, withdrawals or trading outside DES?)",
    );
  }
  return drift;
}
