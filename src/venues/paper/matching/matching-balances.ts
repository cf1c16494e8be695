import { Decimal, DesError, ErrorCode } from "../../../core/index.ts";
import type { VenueBalance } from "../../../model/index.ts";

/**
 * Free and locked amounts per asset for the matching engine. Every method that could push an amount
 * below zero checks first and reports failure (or throws for a bookkeeping bug), so nothing goes negative.
 */
export class MatchingBalances {
  readonly #free = new Map<string, Decimal>();
  readonly #locked = new Map<string, Decimal>();

  /** Returns the amount available for new orders. */
  free(asset: string): Decimal {
    return this.#free.get(asset) ?? Decimal.ZERO;
  }

  /** Returns the amount reserved by open orders. */
  locked(asset: string): Decimal {
    return this.#locked.get(asset) ?? Decimal.ZERO;
  }

  /** Adds to free. */
  credit(asset: string, amount: Decimal): void {
    this.#free.set(asset, this.free(asset).add(amount));
  }

  /** Takes from free; returns false (changing nothing) when free is short. */
  debit(asset: string, amount: Decimal): boolean {
    const free = this.free(asset);
    if (free.lt(amount)) return false;
    this.#free.set(asset, free.sub(amount));
    return true;
  }

  /** Moves free to locked; returns false (changing nothing) when free is short. */
  lock(asset: string, amount: Decimal): boolean {
    if (!this.debit(asset, amount)) return false;
    this.#locked.set(asset, this.locked(asset).add(amount));
    return true;
  }

  /** Moves locked back to free. */
  release(asset: string, amount: Decimal): void {
    this.spendLocked(asset, amount);
    this.credit(asset, amount);
  }

  /** Removes a locked amount (a fill consumed it); more than is locked is a bookkeeping bug. */
  spendLocked(asset: string, amount: Decimal): void {
    const locked = this.locked(asset);
    if (locked.lt(amount)) {
      throw new DesError(
        ErrorCode.OrderRejected,
        `paper matching balances: cannot take ${amount} ${asset} from locked ${locked}`,
        { asset, amount: amount.toString(), locked: locked.toString() },
      );
    }
    this.#locked.set(asset, locked.sub(amount));
  }

  /** Returns every asset's balance, sorted by asset name. */
  snapshot(): VenueBalance[] {
    const assets = new Set([...this.#free.keys(), ...this.#locked.keys()]);
    return [...assets].sort().map((asset) => ({ asset, free: this.free(asset), locked: this.locked(asset) }));
  }
}
