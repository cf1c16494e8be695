import type { UnixMicros } from "../../../core/index.ts";
import type { Bar, QuoteTick, TradeTick } from "../../../model/index.ts";
import { parseMarketBookTicker } from "./parse-market-book-ticker.ts";
import { type DepthUpdate, parseMarketDepthUpdate } from "./parse-market-depth-update.ts";
import { parseMarketFrameFast } from "./parse-market-fast.ts";
import { isWireObject, isWireTimeMs, type WireObject } from "./parse-market-fields.ts";
import { parseMarketKline } from "./parse-market-kline.ts";
import { type MiniTicker, parseMarketMiniTicker } from "./parse-market-mini-ticker.ts";
import { parseMarketTrade } from "./parse-market-trade.ts";

/** `serverShutdown`: the server is about to close the connection; reconnect now. */
export interface ServerShutdown {
  readonly kind: "serverShutdown";
  readonly eventTime: UnixMicros;
}

/** A successful answer to a control request (`{"result": null, "id": 1}`). */
export interface ControlResult {
  readonly kind: "controlResult";
  readonly id: number | string | null;
  readonly result: unknown;
}

/** An error answer to a control request (`{"code": 2, "msg": "...", "id": 1}`). */
export interface ControlError {
  readonly kind: "controlError";
  readonly code: number;
  readonly msg: string;
  readonly id: number | string | null;
}

/** A frame that could not be parsed or failed validation; `reason` names the field. */
export interface FrameError {
  readonly kind: "error";
  readonly reason: string;
  /** The combined-stream name when the wrapper could be read. */
  readonly stream: string | undefined;
}

/** What one text frame of a market-data connection holds. */
export type MarketFrame =
  | TradeTick
  | QuoteTick
  | Bar
  | DepthUpdate
  | MiniTicker
  | ServerShutdown
  | ControlResult
  | ControlError
  | FrameError;

function frameError(reason: string, stream: string | undefined): FrameError {
  return { kind: "error", reason, stream };
}

function isControlId(value: unknown): value is number | string | null {
  return value === null || typeof value === "number" || typeof value === "string";
}

function parseControl(root: WireObject): MarketFrame {
  if ("result" in root) {
    const id = root.id;
    if (!isControlId(id))
      return frameError("control result: id must be a number, a string or null", undefined);
    return { kind: "controlResult", id, result: root.result };
  }
  const code = root.code;
  if (typeof code === "number") {
    const msg = root.msg;
    const id = root.id ?? null;
    if (typeof msg !== "string") return frameError("control error: msg must be a string", undefined);
    if (!isControlId(id))
      return frameError("control error: id must be a number, a string or null", undefined);
    return { kind: "controlError", code, msg, id };
  }
  return frameError("unknown frame: no stream, no event type and no control answer", undefined);
}

function parseEvent(data: WireObject, receivedAt: UnixMicros): MarketFrame | string {
  switch (data.e) {
    case "trade":
    case "aggTrade":
      return parseMarketTrade(data, receivedAt);
    case "kline":
      return parseMarketKline(data, receivedAt);
    case "depthUpdate":
      return parseMarketDepthUpdate(data, receivedAt);
    case "24hrMiniTicker":
      return parseMarketMiniTicker(data, receivedAt);
    case "serverShutdown": {
      const e = data.E;
      if (!isWireTimeMs(e)) return "serverShutdown.E: expected a positive integer time in ms";
      return { kind: "serverShutdown", eventTime: (e * 1000) as UnixMicros };
    }
    case undefined:
      // Spot bookTicker and partial depth carry no event type: tell them apart by shape.
      if (data.u !== undefined && data.b !== undefined) return parseMarketBookTicker(data, receivedAt);
      if (data.lastUpdateId !== undefined) return "partial book depth streams are not supported";
      return "event without an event type";
    default:
      return typeof data.e === "string"
        ? `unsupported event type ${JSON.stringify(data.e.slice(0, 40))}`
        : "e: expected a string";
  }
}

/**
 * Parses one text frame of a Binance market-data connection (combined `{"stream","data"}` or raw)
 * into a domain event, a control answer or `serverShutdown`, or a FrameError value naming what was
 * wrong. Never throws. `receivedAtMicros` becomes each event's receive time.
 * Combined trade, aggTrade, bookTicker and kline frames take a scanner that skips JSON.parse
 * (parse-market-fast.ts); everything else, and anything that scanner doubts, takes JSON.parse.
 */
export function parseMarketFrame(text: string, receivedAtMicros: number): MarketFrame {
  return parseMarketFrameFast(text, receivedAtMicros) ?? parseMarketFrameJson(text, receivedAtMicros);
}

/** Parses a frame with JSON.parse and field checks: the reference behaviour of parseMarketFrame. */
export function parseMarketFrameJson(text: string, receivedAtMicros: number): MarketFrame {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return frameError("not valid JSON", undefined);
  }
  if (!isWireObject(root)) return frameError("not a JSON object", undefined);
  const receivedAt = receivedAtMicros as UnixMicros;
  const stream = root.stream;
  if (stream !== undefined) {
    if (typeof stream !== "string") return frameError("stream: expected a string", undefined);
    const data = root.data;
    if (!isWireObject(data)) return frameError("data: expected an object", stream);
    const out = parseEvent(data, receivedAt);
    return typeof out === "string" ? frameError(out, stream) : out;
  }
  if (root.e !== undefined || root.u !== undefined || root.lastUpdateId !== undefined) {
    const out = parseEvent(root, receivedAt);
    return typeof out === "string" ? frameError(out, undefined) : out;
  }
  return parseControl(root);
}
