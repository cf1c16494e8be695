import { Decimal, type InstrumentId, type UnixMicros } from "../core/index.ts";
import type { BookSnapshot, PositionSnapshot } from "./books-snapshot.ts";
import { PortfolioBook } from "./portfolio-book.ts";
import { Position } from "./position.ts";

/** Returns one position's state as exact strings. */
export function positionSnapshot(position: Position): PositionSnapshot {
  const s = position.state();
  const commissions: Record<string, string> = {};
  for (const [asset, amount] of s.commissions) commissions[asset] = amount.toString();
  return {
    instrumentId: position.instrumentId,
    quantity: s.quantity.toString(),
    costBasis: s.costBasis.toString(),
    realizedPnl: s.realizedPnl.toString(),
    commissions,
    fillCount: s.fillCount,
    lastFillPrice: s.lastFillPrice?.toString() ?? null,
    updatedAt: s.updatedAt ?? null,
  };
}

/** Returns one book as exact strings; `initialCash` is given for account books only. */
export function bookSnapshot(
  kind: BookSnapshot["kind"],
  book: PortfolioBook,
  initialCash?: Readonly<Record<string, Decimal>>,
): BookSnapshot {
  const snapshot: BookSnapshot = {
    kind,
    id: book.owner,
    cash: amountsToStrings(book.cashEntries()),
    positions: Array.from(book.positions(), positionSnapshot),
  };
  return initialCash === undefined
    ? snapshot
    : { ...snapshot, initialCash: amountsToStrings(Object.entries(initialCash)) };
}

/** Returns the book a validated snapshot describes (parseBooksSnapshot has checked every decimal). */
export function restoredBook(snapshot: BookSnapshot): PortfolioBook {
  const cash = Object.entries(snapshot.cash).map(([asset, amount]) => [asset, Decimal.from(amount)] as const);
  return PortfolioBook.restore(snapshot.id, cash, snapshot.positions.map(restoredPosition));
}

function restoredPosition(s: PositionSnapshot): Position {
  const commissions = new Map<string, Decimal>();
  for (const [asset, amount] of Object.entries(s.commissions)) commissions.set(asset, Decimal.from(amount));
  return Position.fromState(s.instrumentId as InstrumentId, {
    quantity: Decimal.from(s.quantity),
    costBasis: Decimal.from(s.costBasis),
    realizedPnl: Decimal.from(s.realizedPnl),
    commissions,
    fillCount: s.fillCount,
    lastFillPrice: s.lastFillPrice === null ? undefined : Decimal.from(s.lastFillPrice),
    updatedAt: s.updatedAt === null ? undefined : (s.updatedAt as UnixMicros),
  });
}

function amountsToStrings(entries: Iterable<readonly [string, Decimal]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [asset, amount] of entries) out[asset] = amount.toString();
  return out;
}
