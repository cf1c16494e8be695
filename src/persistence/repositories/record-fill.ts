import type { OrderFilled } from "../../model/index.ts";
import type { BalanceRecord } from "./balance-repository.ts";
import { fillRecordOf } from "./fill-repository.ts";
import type { PositionRecord } from "./position-repository.ts";
import type { UnitOfWork } from "./unit-of-work.ts";

/** What one fill changes: the order (its event), the position and the balances after it. */
export interface FillUpdate {
  readonly event: OrderFilled;
  /** The position after the fill (computed by the portfolio). */
  readonly position: PositionRecord;
  /** The balances after the fill (usually base and quote asset; the commission asset if another). */
  readonly balances: readonly BalanceRecord[];
}

/**
 * Records a fill atomically: the fill, the order's latest row and status history, the position
 * snapshot and the balances, in one transaction. Exactly once: when the fill's (account, trade id)
 * is already stored, nothing is written and false is returned, so a replayed fill can never
 * overwrite the position with one computed from a duplicate. Returns true when the fill was new.
 * The fill is inserted first: on PostgreSQL a concurrent recording of the same trade waits on
 * its key and then finds it stored.
 */
export async function recordFill(uow: UnitOfWork, update: FillUpdate): Promise<boolean> {
  return uow.run(async (repos) => {
    if (!(await repos.fills.append(fillRecordOf(update.event)))) return false;
    await repos.orders.apply(update.event);
    await repos.positions.upsert([update.position]);
    await repos.balances.upsert(update.balances);
    return true;
  });
}
