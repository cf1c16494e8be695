import { isValidStreamName } from "./stream-name.ts";

/** What an upgrade URL asks for. */
export interface StreamUrl {
  readonly ok: true;
  /** `/stream?streams=` wraps payloads as {"stream","data"}; `/ws/` sends them raw. */
  readonly combined: boolean;
  readonly streams: readonly string[];
  /** `timeUnit=MICROSECOND`: event and trade times in microseconds. */
  readonly microseconds: boolean;
}

/** Why an upgrade is refused: the HTTP status and a Binance-style error body. */
export interface StreamUrlError {
  readonly ok: false;
  readonly status: number;
  readonly code: number;
  readonly msg: string;
}

/**
 * Parses a market stream URL (reference 1.2): `/ws`, `/ws/<stream>`, `/ws/<a>/<b>` (raw) and
 * `/stream?streams=<a>/<b>` (combined), with an optional `timeUnit=MICROSECOND|MILLISECOND`. An
 * unknown path is 404; an invalid stream name, a bad timeUnit or too many streams is 400.
 */
export function parseStreamUrl(url: string, maxStreams: number): StreamUrl | StreamUrlError {
  let parsed: URL;
  try {
    parsed = new URL(url, "http://sim.invalid");
  } catch {
    return { ok: false, status: 400, code: 2, msg: "Invalid request: malformed URL" };
  }
  const path = parsed.pathname;
  let combined: boolean;
  let names: string[];
  if (path === "/ws" || path === "/ws/") {
    combined = false;
    names = [];
  } else if (path.startsWith("/ws/")) {
    combined = false;
    names = path.slice(4).split("/");
  } else if (path === "/stream" || path === "/stream/") {
    combined = true;
    names = (parsed.searchParams.get("streams") ?? "").split("/");
  } else {
    return { ok: false, status: 404, code: 2, msg: `Invalid request: unknown path ${path}` };
  }
  const streams: string[] = [];
  for (const raw of names) {
    if (raw === "") continue;
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, code: 2, msg: "Invalid request: invalid stream" };
    }
    if (!isValidStreamName(name))
      return { ok: false, status: 400, code: 2, msg: "Invalid request: invalid stream" };
    if (!streams.includes(name)) streams.push(name);
  }
  if (streams.length > maxStreams) {
    return {
      ok: false,
      status: 400,
      code: 2,
      msg: `Invalid request: too many streams (maximum ${maxStreams})`,
    };
  }
  const unit = parsed.searchParams.get("timeUnit");
  if (unit !== null && !["MICROSECOND", "microsecond", "MILLISECOND", "millisecond"].includes(unit)) {
    return {
      ok: false,
      status: 400,
      code: 2,
      msg: "Invalid request: timeUnit must be MICROSECOND or MILLISECOND",
    };
  }
  return { ok: true, combined, streams, microseconds: unit === "MICROSECOND" || unit === "microsecond" };
}
