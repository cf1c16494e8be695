import { type BookLevel, parseMarketDepthLevels } from "./parse-market-depth-levels.ts";
import { isWireId, isWireObject } from "./parse-market-fields.ts";

/** A parsed `GET /api/v3/depth` snapshot. */
export interface DepthSnapshot {
  readonly lastUpdateId: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

/** Parses a depth snapshot body (DepthSnapshotMsg), or returns the reason it is invalid. */
export function parseMarketDepthSnapshot(body: unknown): DepthSnapshot | string {
  if (!isWireObject(body)) return "depth snapshot: expected an object";
  const lastUpdateId = body.lastUpdateId;
  if (!isWireId(lastUpdateId)) return "depth snapshot.lastUpdateId: expected a non-negative integer";
  const bids = parseMarketDepthLevels(body.bids, "depth snapshot.bids");
  if (typeof bids === "string") return bids;
  const asks = parseMarketDepthLevels(body.asks, "depth snapshot.asks");
  if (typeof asks === "string") return asks;
  return { lastUpdateId, bids, asks };
}
