import type { AccountId, InstrumentId, TradeId } from "../core/index.ts";

/**
 * The trade ids of the most recent fills, per account and instrument, to refuse a fill seen twice.
 * Holds at most `capacity` ids: when full, remembering one more forgets the oldest (a repeat of a
 * forgotten id would be accepted again; `forgotten` counts them). The ids are kept in one set per
 * account and instrument, so a lookup hashes the venue's trade id itself and builds no key string.
 */
export class RecentTradeIds {
  readonly #capacity: number;
  readonly #byAccount = new Map<AccountId, Map<InstrumentId, Set<TradeId>>>();
  /** The remembered ids in arrival order (a ring once full), with the set holding each. */
  readonly #ringSets: Set<TradeId>[] = [];
  readonly #ringIds: TradeId[] = [];
  #head = 0;
  #forgotten = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Returns how many ids were forgotten because the memory was full. */
  get forgotten(): number {
    return this.#forgotten;
  }

  /** Remembers a fill's trade id; returns false when it is already remembered (a repeat). */
  remember(accountId: AccountId, instrumentId: InstrumentId, tradeId: TradeId): boolean {
    const ids = this.#setFor(accountId, instrumentId);
    if (ids.has(tradeId)) return false;
    ids.add(tradeId);
    if (this.#ringIds.length < this.#capacity) {
      this.#ringSets.push(ids);
      this.#ringIds.push(tradeId);
      return true;
    }
    this.#ringSets[this.#head]!.delete(this.#ringIds[this.#head]!);
    this.#ringSets[this.#head] = ids;
    this.#ringIds[this.#head] = tradeId;
    this.#head = (this.#head + 1) % this.#capacity;
    this.#forgotten++;
    return true;
  }

  /**
   * Returns the remembered ids, oldest first, each with its account and instrument: remembering
   * them in this order into an empty memory of the same capacity rebuilds this one exactly
   * (the `forgotten` count aside).
   */
  entries(): Array<[AccountId, InstrumentId, TradeId]> {
    const keyOf = new Map<Set<TradeId>, [AccountId, InstrumentId]>();
    for (const [account, instruments] of this.#byAccount)
      for (const [instrument, ids] of instruments) keyOf.set(ids, [account, instrument]);
    const out: Array<[AccountId, InstrumentId, TradeId]> = [];
    const size = this.#ringIds.length;
    // Until the ring is full #head stays 0 and the ring is in arrival order.
    for (let i = 0; i < size; i++) {
      const at = (this.#head + i) % size;
      const [account, instrument] = keyOf.get(this.#ringSets[at]!)!;
      out.push([account, instrument, this.#ringIds[at]!]);
    }
    return out;
  }

  /** Returns the set of one account and instrument (one per pair that ever filled, never removed). */
  #setFor(accountId: AccountId, instrumentId: InstrumentId): Set<TradeId> {
    let instruments = this.#byAccount.get(accountId);
    if (instruments === undefined) {
      instruments = new Map();
      this.#byAccount.set(accountId, instruments);
    }
    let ids = instruments.get(instrumentId);
    if (ids === undefined) {
      ids = new Set();
      instruments.set(instrumentId, ids);
    }
    return ids;
  }
}
