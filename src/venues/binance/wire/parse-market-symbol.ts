import { type InstrumentId, instrumentId } from "../../../core/index.ts";

/** Symbols seen so far; a venue lists a few thousand, so the bound is never reached in practice. */
const MAX_CACHED_SYMBOLS = 20_000;
const cache = new Map<string, InstrumentId>();

/**
 * Returns the value as an InstrumentId when it is a valid symbol ("BTCUSDT"), else undefined.
 * Valid symbols are cached so the hot path does one map lookup instead of a pattern test; when the
 * cache is full, further symbols are still validated, just not cached.
 */
export function parseMarketSymbol(value: unknown): InstrumentId | undefined {
  if (typeof value !== "string") return undefined;
  const hit = cache.get(value);
  if (hit !== undefined) return hit;
  let id: InstrumentId;
  try {
    id = instrumentId(value);
  } catch {
    return undefined;
  }
  if (cache.size < MAX_CACHED_SYMBOLS) cache.set(value, id);
  return id;
}
