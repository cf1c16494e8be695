import type { Logger } from "pino";
import { type AccountId, Decimal, type InstrumentId, type StrategyId, strategyId } from "../core/index.ts";
import type { ExecutionEngine, RecoveryOptions, RecoveryReport, RestoredOrder } from "../execution/index.ts";
import type { Instrument, VenuePort } from "../model/index.ts";
import type { SqliteStore } from "../persistence/index.ts";
import type { Portfolio } from "../portfolio/index.ts";

/** The strategy_state row holding the cash the account's book started from (ids are checked: no strategy can be named so). */
const BASELINE_ID: StrategyId = strategyId("__portfolio-baseline__");
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
export function portfolioBaseline(
  store: SqliteStore,
  accountId: AccountId,
  venueCash: Readonly<Record<string, string>>,
  nowUs: number,
): { cash: Readonly<Record<string, string>>; restored: boolean } {
  const saved = store.loadNow(BASELINE_ID) as StoredBaseline | undefined;
  if (saved !== undefined && saved !== null && saved.accountId === accountId && isCashRecord(saved.cash)) {
    return { cash: saved.cash, restored: true };
  }
  const baseline: StoredBaseline = { accountId, cash: { ...venueCash }, since: nowUs };
  void store.save(BASELINE_ID, baseline, nowUs);
  return { cash: venueCash, restored: false };
}

function isCashRecord(value: unknown): value is Record<string, string> {
  if (value === null || typeof value !== "object") return false;
  return Object.values(value).every((v) => typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v));
}

/**
 * Rebuilds the books from every stored fill of the account (before execution listens, so risk does
 * not count history as today's PnL), then gives execution each position's realized PnL as its
 * baseline. Returns the number of fills applied.
 */
export function rebuildPortfolio(
  store: SqliteStore,
  portfolio: Portfolio,
  execution: ExecutionEngine,
  accountId: AccountId,
): number {
  let applied = 0;
  for (const fill of store.accountFills(accountId)) if (portfolio.applyFill(fill)) applied++;
  for (const book of portfolio.snapshot().strategies) {
    for (const p of book.positions) {
      execution.setRealizedPnlBaseline(book.owner as StrategyId, p.instrumentId, p.realizedPnl);
    }
  }
  return applied;
}

/** Tracks again, in execution, the orders whose intents are not done in the journal. Returns how many. */
export function restoreJournaledOrders(store: SqliteStore, execution: ExecutionEngine): number {
  const orders: RestoredOrder[] = store.intents.openIntents().map((i) => ({
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
  const book = portfolio.account(venue.accountId);
  const desTotals = new Map<string, Decimal>(Object.entries(book?.cash ?? {}));
  for (const p of book?.positions ?? []) {
    const base = instruments.get(p.instrumentId)?.baseAsset;
    if (base !== undefined) desTotals.set(base, (desTotals.get(base) ?? Decimal.ZERO).add(p.quantity));
  }
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
