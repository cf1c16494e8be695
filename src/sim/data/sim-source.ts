import type { SimExchangeApi, SimSymbolInfo } from "../exchange/sim-exchange-api.ts";
import type { SymbolPublisher } from "./symbol-publisher.ts";

/** What a source needs when the replay starts. */
export interface SimSourceContext {
  readonly exchange: SimExchangeApi;
  /** The publisher of each symbol (all sources' symbols). */
  readonly publishers: ReadonlyMap<string, SymbolPublisher>;
  /** Wall-clock time of start(), ms. */
  readonly wallStartMs: number;
  /** Shift data times so the replay starts at wallStartMs. */
  readonly rebaseToNow: boolean;
}

/** How far a source has replayed. */
export interface SimSourcePosition {
  readonly kind: "capture" | "klines";
  readonly speed: number;
  /** "capture" while frames remain, then "generated"; "bars" for the klines source. */
  readonly phase: "capture" | "generated" | "bars";
  /** Market time reached, ms (the latest of the source's symbols). */
  readonly marketTimeMs: number;
  /** Frames or synthetic trades processed so far. */
  readonly eventsDone: number;
  /** Completed passes over the data (klines source). */
  readonly loops: number;
  /**
   * Capture frames not replayed: malformed, older than the snapshot, or bookTicker frames (the
   * exchange's own best bid/ask is published instead); plus unparsable capture lines.
   */
  readonly skipped: number;
}

/** A market data source: its symbols and a replay driven by the wall clock. */
export interface SimSource {
  readonly kind: "capture" | "klines";
  readonly speed: number;
  symbolInfos(): readonly SimSymbolInfo[];
  begin(ctx: SimSourceContext): void;
  /** Processes everything due up to the wall time; returns the number of events processed. */
  advance(wallNowMs: number): number;
  /** Wall time at which something is next due (Infinity when nothing is). */
  nextDueWallMs(): number;
  position(): SimSourcePosition;
}
