import { Decimal, DesError, ErrorCode } from "../../core/index.ts";
import type { VenueBalance } from "../../model/index.ts";

/**
 * Per-asset balances of a paper account, split into free and locked (reserved for open orders),
 * as a spot exchange keeps them. Every amount is an exact Decimal; nothing goes negative.
 */
export class PaperBalances {
  readonly #free = new Map<string, Decimal>();
  readonly #locked = new Map<string, Decimal>();

  /** Builds balances from decimal strings per asset ({ USDT: "10000" }); negative or malformed amounts are an error. */
  constructor(initial: Readonly<Record<string, string | Decimal>> = {}) {
    for (const [asset, raw] of Object.entries(initial)) {
      let amount: Decimal;
      try {
        amount = Decimal.from(raw);
      } catch (err) {
        throw new DesError(
          ErrorCode.InvalidConfig,
          `paper balance for ${asset}: expected a decimal string, got ${JSON.stringify(String(raw))}`,
          { key: `initialBalances.${asset}`, value: String(raw) },
          { cause: err },
        );
      }
      if (amount.isNegative()) {
        throw new DesError(
          ErrorCode.InvalidConfig,
          `paper balance for ${asset} must not be negative: ${amount}`,
          {
            key: `initialBalances.${asset}`,
            value: amount.toString(),
          },
        );
      }
      this.#free.set(asset, amount);
    }
  }

  /** Returns the amount available for new orders. */
  free(asset: string): Decimal {
    return this.#free.get(asset) ?? Decimal.ZERO;
  }

  /** Returns the amount reserved by open orders. */
  locked(asset: string): Decimal {
    return this.#locked.get(asset) ?? Decimal.ZERO;
  }

  /** Moves amount from free to locked; returns false (and changes nothing) when free is short. */
  lock(asset: string, amount: Decimal): boolean {
    const free = this.free(asset);
    if (free.lt(amount)) return false;
    this.#free.set(asset, free.sub(amount));
    this.#locked.set(asset, this.locked(asset).add(amount));
    return true;
  }

  /** Moves amount from locked back to free; releasing more than is locked is a bug and throws. */
  release(asset: string, amount: Decimal): void {
    const locked = this.locked(asset);
    if (locked.lt(amount)) {
      throw new DesError(
        ErrorCode.OrderRejected,
        `paper balances: cannot release ${amount} ${asset}, only ${locked} locked`,
        { asset, amount: amount.toString(), locked: locked.toString() },
      );
    }
    this.#locked.set(asset, locked.sub(amount));
    this.#free.set(asset, this.free(asset).add(amount));
  }

  /** Takes amount from free; returns false (and changes nothing) when free is short. */
  debit(asset: string, amount: Decimal): boolean {
    const free = this.free(asset);
    if (free.lt(amount)) return false;
    this.#free.set(asset, free.sub(amount));
    return true;
  }

  /** Adds amount to free. */
  credit(asset: string, amount: Decimal): void {
    this.#free.set(asset, this.free(asset).add(amount));
  }

  /** Returns every asset's balance, sorted by asset name. */
  snapshot(): VenueBalance[] {
    const assets = new Set([...this.#free.keys(), ...this.#locked.keys()]);
    return [...assets].sort().map((asset) => ({ asset, free: this.free(asset), locked: this.locked(asset) }));
  }
}
