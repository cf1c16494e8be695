import { Decimal, microsFromMs } from "../../core/index.ts";
import type { VenueBalance, VenueBalancesChanged } from "../../model/index.ts";
import type { BalanceUpdateMsg, OutboundAccountPositionMsg } from "./wire/user-msgs.ts";

/**
 * The last known balance per asset, from REST (`account`) and the user stream
 * (`outboundAccountPosition` sets assets, `balanceUpdate` moves one asset's free amount). One entry
 * per asset the account holds: bounded by the number of assets.
 */
export class VenueBalanceBook {
  readonly #balances = new Map<string, VenueBalance>();

  /** Replaces the listed assets' balances (a REST snapshot). */
  set(balances: readonly VenueBalance[]): void {
    for (const b of balances) this.#balances.set(b.asset, b);
  }

  /** Applies an outboundAccountPosition; returns the event listing the assets it set. */
  applyPosition(msg: OutboundAccountPositionMsg): VenueBalancesChanged {
    const changed = msg.B.map((b) => ({ asset: b.a, free: Decimal.from(b.f), locked: Decimal.from(b.l) }));
    this.set(changed);
    return { kind: "balances", balances: changed, ts: microsFromMs(msg.E) };
  }

  /**
   * Applies a balanceUpdate delta to the asset's free amount; returns the event, or undefined when
   * the asset's balance is not known yet (the outboundAccountPosition that follows sets it).
   */
  applyDelta(msg: BalanceUpdateMsg): VenueBalancesChanged | undefined {
    const known = this.#balances.get(msg.a);
    if (known === undefined) return undefined;
    const updated = { asset: msg.a, free: known.free.add(Decimal.from(msg.d)), locked: known.locked };
    this.#balances.set(msg.a, updated);
    return { kind: "balances", balances: [updated], ts: microsFromMs(msg.E) };
  }
}
