import type { InstrumentId, UnixMicros } from "../../../core/index.ts";
import { type BookLevel, parseMarketDepthLevels } from "./parse-market-depth-levels.ts";
import { isWireId, isWireTimeMs, type WireObject } from "./parse-market-fields.ts";
import { parseMarketSymbol } from "./parse-market-symbol.ts";

/** A diff of the order book (`depthUpdate`): set each level's quantity, zero removes the level. */
export interface DepthUpdate {
  readonly kind: "depth";
  readonly instrumentId: InstrumentId;
  /** `U`: the first update id in the event. */
  readonly firstUpdateId: number;
  /** `u`: the final update id in the event. */
  readonly finalUpdateId: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  readonly eventTime: UnixMicros;
  readonly receivedAt: UnixMicros;
}

/** Parses a `depthUpdate` payload, or returns the reason it is invalid. */
export function parseMarketDepthUpdate(data: WireObject, receivedAt: UnixMicros): DepthUpdate | string {
  const instrument = parseMarketSymbol(data.s);
  if (instrument === undefined) return "depthUpdate.s: expected a symbol";
  const e = data.E;
  if (!isWireTimeMs(e)) return "depthUpdate.E: expected a positive integer time in ms";
  const first = data.U;
  if (!isWireId(first)) return "depthUpdate.U: expected a non-negative integer update id";
  const last = data.u;
  if (!isWireId(last) || last < first) return "depthUpdate.u: expected an integer update id >= U";
  const bids = parseMarketDepthLevels(data.b, "depthUpdate.b");
  if (typeof bids === "string") return bids;
  const asks = parseMarketDepthLevels(data.a, "depthUpdate.a");
  if (typeof asks === "string") return asks;
  return {
    kind: "depth",
    instrumentId: instrument,
    firstUpdateId: first,
    finalUpdateId: last,
    bids,
    asks,
    eventTime: (e * 1000) as UnixMicros,
    receivedAt,
  };
}
