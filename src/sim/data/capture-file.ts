import { DesError, ErrorCode } from "../../core/index.ts";
import type { SimLevel } from "../exchange/sim-exchange-api.ts";

/** One frame of a cryptofeed WebSocket capture: a combined-stream message and when it arrived. */
export interface CaptureFrame {
  /** Receive time, ms (the capture's own clock, sub-ms digits rounded). */
  readonly recvTimeMs: number;
  readonly stream: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** 1-based line in the file, for error messages. */
  readonly line: number;
}

/** A parsed cryptofeed WebSocket capture (`BINANCE.ws.*`). */
export interface CaptureWsFile {
  readonly url: string;
  readonly connectTimeMs: number;
  /** Frames in file order (which is receive order). */
  readonly frames: readonly CaptureFrame[];
  /** Lines that were skipped, each with the reason (at most MAX_KEPT_CAPTURE_ERRORS kept). */
  readonly errors: readonly string[];
  readonly skippedLines: number;
}

/** A `GET /api/v3/depth` snapshot from a cryptofeed HTTP capture (`BINANCE.http.*`). */
export interface CaptureDepthSnapshot {
  readonly symbol: string;
  readonly recvTimeMs: number;
  readonly lastUpdateId: number;
  readonly bids: readonly SimLevel[];
  readonly asks: readonly SimLevel[];
}

/** A parsed cryptofeed HTTP capture. */
export interface CaptureHttpFile {
  readonly snapshots: readonly CaptureDepthSnapshot[];
  readonly errors: readonly string[];
  readonly skippedLines: number;
}

/** How many skipped-line reasons a parse keeps (the count covers all of them). */
export const MAX_KEPT_CAPTURE_ERRORS = 100;

const HEADER = /^(\S+) <-> (\d+(?:\.\d+)?)$/;
const WS_LINE = /^(\d+(?:\.\d+)?): (.*)$/;
const HTTP_LINE = /^(\S+) -> (\d+(?:\.\d+)?): (.*)$/;

/**
 * Parses a cryptofeed WebSocket capture: the first line is `<url> <-> <connect time>`, every other
 * line `<receive time>: <combined-stream JSON frame>` (times in Unix seconds). Blank lines are
 * ignored; a malformed line is skipped and counted, the rest is kept.
 */
export function parseCaptureWs(text: string, source: string): CaptureWsFile {
  const lines = text.split(/\r?\n/);
  const header = HEADER.exec(lines[0] ?? "");
  if (header === null) {
    throw new DesError(
      ErrorCode.InvalidMarketData,
      `${source}: line 1 is not a cryptofeed capture header "<url> <-> <time>"`,
      { source },
    );
  }
  const frames: CaptureFrame[] = [];
  const errors: string[] = [];
  let skipped = 0;
  const skip = (line: number, why: string): void => {
    skipped++;
    if (errors.length < MAX_KEPT_CAPTURE_ERRORS) errors.push(`${source}:${line}: ${why}`);
  };
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.trim() === "") continue;
    const m = WS_LINE.exec(raw);
    if (m === null) {
      skip(i + 1, "expected `<time>: <frame>`");
      continue;
    }
    const json = parseJsonObject(m[2] as string);
    if (json === undefined) {
      skip(i + 1, "the frame is not a JSON object");
      continue;
    }
    const stream = json["stream"];
    const data = json["data"];
    if (typeof stream !== "string" || data === null || typeof data !== "object" || Array.isArray(data)) {
      skip(i + 1, 'the frame is not a combined-stream message {"stream","data"}');
      continue;
    }
    frames.push({
      recvTimeMs: secondsToMs(m[1] as string),
      stream,
      data: data as Record<string, unknown>,
      line: i + 1,
    });
  }
  return {
    url: header[1] as string,
    connectTimeMs: secondsToMs(header[2] as string),
    frames,
    errors,
    skippedLines: skipped,
  };
}

/**
 * Parses a cryptofeed HTTP capture: one `<url> -> <receive time>: <body>` per line. Only depth
 * snapshots (`/api/v3/depth?symbol=...`) are kept; other or malformed lines are skipped and counted.
 */
export function parseCaptureHttp(text: string, source: string): CaptureHttpFile {
  const snapshots: CaptureDepthSnapshot[] = [];
  const errors: string[] = [];
  let skipped = 0;
  const skip = (line: number, why: string): void => {
    skipped++;
    if (errors.length < MAX_KEPT_CAPTURE_ERRORS) errors.push(`${source}:${line}: ${why}`);
  };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.trim() === "") continue;
    const m = HTTP_LINE.exec(raw);
    if (m === null) {
      skip(i + 1, "expected `<url> -> <time>: <body>`");
      continue;
    }
    let url: URL;
    try {
      url = new URL(m[1] as string);
    } catch {
      skip(i + 1, "the url does not parse");
      continue;
    }
    const symbol = url.searchParams.get("symbol");
    if (!url.pathname.endsWith("/api/v3/depth") || symbol === null) {
      skip(i + 1, "not a GET /api/v3/depth?symbol=... snapshot");
      continue;
    }
    const body = parseJsonObject(m[3] as string);
    const bids = body === undefined ? undefined : levels(body["bids"]);
    const asks = body === undefined ? undefined : levels(body["asks"]);
    const lastUpdateId = body?.["lastUpdateId"];
    if (typeof lastUpdateId !== "number" || bids === undefined || asks === undefined) {
      skip(i + 1, "the body is not a depth snapshot {lastUpdateId, bids, asks}");
      continue;
    }
    snapshots.push({ symbol, recvTimeMs: secondsToMs(m[2] as string), lastUpdateId, bids, asks });
  }
  return { snapshots, errors, skippedLines: skipped };
}

/** Returns `[price, qty]` string pairs, or undefined when the value is not such a list. */
export function levels(value: unknown): SimLevel[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: SimLevel[] = [];
  for (const level of value) {
    if (!Array.isArray(level) || typeof level[0] !== "string" || typeof level[1] !== "string")
      return undefined;
    out.push([level[0], level[1]]);
  }
  return out;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Unix seconds with a fraction ("1633998512.0633569") to ms; times are not money, a float is fine. */
function secondsToMs(text: string): number {
  return Math.round(Number(text) * 1000);
}
