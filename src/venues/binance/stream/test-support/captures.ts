import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The real Binance capture bundled with the simulator (data/sim/cryptofeed; provenance in data/sim/README.md). */
export const BINANCE_MARKET_FIXTURES_DIR: string = fileURLToPath(
  new URL("../../../../../data/sim/cryptofeed/", import.meta.url),
);

/** The read-only reference data next to the repository (../shared/data): read, never copied. */
export const SHARED_DATA_DIR: string = fileURLToPath(
  new URL("../../../../../../shared/data/", import.meta.url),
);

/** One frame of the cryptofeed WebSocket capture. */
export interface CapturedFrame {
  /** Receive time, unix seconds with a fraction, as cryptofeed wrote it. */
  readonly receivedAtS: number;
  /** The raw frame text, unchanged. */
  readonly text: string;
}

/** Returns the frames of the cryptofeed capture `BINANCE.ws.1.0.txt`, in order (the URL line skipped). */
export function readWsCapture(): CapturedFrame[] {
  const lines = readFileSync(`${BINANCE_MARKET_FIXTURES_DIR}BINANCE.ws.1.0.txt`, "utf8").split("\n");
  const frames: CapturedFrame[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === "") continue;
    const sep = line.indexOf(": ");
    frames.push({ receivedAtS: Number(line.slice(0, sep)), text: line.slice(sep + 2) });
  }
  return frames;
}

/** Returns the `GET /api/v3/depth` bodies of `BINANCE.http.0.0.txt` by symbol, as parsed JSON. */
export function readDepthSnapshots(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const lines = readFileSync(`${BINANCE_MARKET_FIXTURES_DIR}BINANCE.http.0.0.txt`, "utf8").split("\n");
  for (const line of lines) {
    if (line.trim() === "") continue;
    const symbol = /symbol=([A-Z0-9]+)/.exec(line)?.[1];
    const body = line.slice(line.indexOf(": ") + 2);
    if (symbol !== undefined) out.set(symbol, JSON.parse(body));
  }
  return out;
}

/** Returns the absolute path of a file under ../shared/data. */
export function sharedDataPath(relative: string): string {
  return SHARED_DATA_DIR + relative;
}

/** Returns the node:test skip value for a test that reads ../shared/data/<relative>: false when present. */
export function skipUnlessShared(relative: string): string | false {
  return existsSync(sharedDataPath(relative))
    ? false
    : `needs ${sharedDataPath(relative)}: the shared reference data folder is absent`;
}
