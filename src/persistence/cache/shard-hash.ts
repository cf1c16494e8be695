/** How many characters, counted from the end of a key, the shard hash reads. */
export const SHARD_HASH_TAIL_CHARS = 16;

/**
 * A cheap, deterministic 32-bit string hash used to pick a cache shard: FNV-1a over the key's length
 * and its last {@link SHARD_HASH_TAIL_CHARS} UTF-16 code units, then one xor-shift to spread the low bits.
 *
 * Only the tail is read because DES keys share a long prefix (`des:<namespace>:price:`) and differ at the
 * end (the symbol, the book, the strategy id); reading a bounded number of characters keeps the cost
 * constant whatever the key's length. Two keys that differ only before their last 16 characters and have
 * the same length land in the same shard: harmless (a shard is a bound on work, not on correctness).
 */
export function shardHash(key: string): number {
  const length = key.length;
  let h = Math.imul(0x811c9dc5 ^ length, 0x01000193);
  for (let i = length > SHARD_HASH_TAIL_CHARS ? length - SHARD_HASH_TAIL_CHARS : 0; i < length; i++) {
    h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 15;
  return h >>> 0;
}
