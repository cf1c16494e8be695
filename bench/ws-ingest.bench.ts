/**
 * Market-data ingest throughput over a real WebSocket (target >= 300,000 frames/s per core,
 * WebSocket receive included).
 *
 * A sender in a worker thread (its own core) runs a `ws` WebSocketServer on loopback. For each
 * connection it answers the SUBSCRIBE, then writes prepared, real-shaped combined-stream frames
 * (trade / aggTrade / bookTicker / kline in equal shares, 8 symbols, varying ids and prices) as fast
 * as the socket takes them: the frames are encoded once and written in large chunks to the upgraded
 * socket, so the sender is never the bottleneck. The receiver (main thread) is measured two ways:
 * (a) raw: a bare `ws` client that only counts messages, the ceiling of `ws` itself;
 * (b) stream: BinanceMarketStream (parse, validate, normalise to TradeTick / QuoteTick / Bar) whose
 *     sink publishes onto a real MessageBus (Topic.Trade / Quote / Bar, one subscriber each).
 * Each rate runs from the first to the last of N frames; rounds alternate (a) and (b) after a
 * warm-up round of each, and the medians are reported. Also reported: (c) parse + publish without
 * any socket, on the same frames, to show where the time goes.
 *
 * Run: node_modules/.bin/node bench/ws-ingest.bench.ts [--frames 1000000] [--rounds 3]
 * Last line of stdout: one JSON object.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { WebSocket, WebSocketServer } from "ws";
import { MessageBus, Topic } from "../src/bus/index.ts";
import type { Bar, QuoteTick, TradeTick } from "../src/model/index.ts";
import { BinanceMarketStream } from "../src/venues/binance/stream/binance-market-stream.ts";
import type { StreamSpec } from "../src/venues/binance/stream/stream-spec.ts";
import { parseMarketFrame } from "../src/venues/binance/wire/parse-market-frame.ts";
import { benchMachine } from "./bench-machine.ts";

const TARGET_FRAMES_PER_S = 300_000;
const SYMBOLS = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT", "NKNUSDT"];
const POOL_SIZE = 4096;
/** Frames per socket write: large writes keep the sender far ahead of the receiver. */
const FRAMES_PER_CHUNK = 1024;

interface SenderData {
  readonly frames: number;
}

/** Returns POOL_SIZE real-shaped combined-stream frames: trade, aggTrade, bookTicker, kline in turn. */
function prepareFrames(): string[] {
  const out: string[] = [];
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < POOL_SIZE; i++) {
    const symbol = SYMBOLS[i % SYMBOLS.length]!;
    const lower = symbol.toLowerCase();
    const price = `${(20_000 + ((i * 37) % 5000)).toString()}.${String((i * 7919) % 100_000_000).padStart(8, "0")}`;
    const qty = `0.${String(((i * 104_729) % 99_999_999) + 1).padStart(8, "0")}`;
    const time = t0 + i * 3;
    switch (i % 4) {
      case 0:
        out.push(
          `{"stream":"${lower}@trade","data":{"e":"trade","E":${time + 1},"s":"${symbol}","t":${3_000_000_000 + i},"p":"${price}","q":"${qty}","T":${time},"m":${i % 3 === 0},"M":true}}`,
        );
        break;
      case 1:
        out.push(
          `{"stream":"${lower}@aggTrade","data":{"e":"aggTrade","E":${time + 1},"s":"${symbol}","a":${1_500_000_000 + i},"p":"${price}","q":"${qty}","f":${3_000_000_000 + i},"l":${3_000_000_002 + i},"T":${time},"m":${i % 5 === 0},"M":true}}`,
        );
        break;
      case 2:
        out.push(
          `{"stream":"${lower}@bookTicker","data":{"u":${40_000_000_000 + i},"s":"${symbol}","b":"${price}","B":"${qty}","a":"${price.replace(/^(\d+)/, (d) => String(Number(d) + 1))}","A":"1.${qty.slice(2)}"}}`,
        );
        break;
      default: {
        const open = t0 - (t0 % 60_000);
        out.push(
          `{"stream":"${lower}@kline_1m","data":{"e":"kline","E":${time},"s":"${symbol}","k":{"t":${open},"T":${open + 59_999},"s":"${symbol}","i":"1m","f":${3_000_000_000},"L":${3_000_000_000 + i},"o":"${price}","c":"${price}","h":"${price}","l":"${price}","v":"${qty}","n":${i},"x":false,"q":"${qty}","V":"${qty}","Q":"${qty}","B":"0"}}}`,
        );
      }
    }
  }
  return out;
}

/** Returns one unmasked server-to-client text frame (RFC 6455) carrying the text. */
function encodeFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x81, n]) : Buffer.from([0x81, 126, n >> 8, n & 0xff]);
  return Buffer.concat([header, payload]);
}

/** The sender (worker thread): answers SUBSCRIBE, then pushes `frames` frames per connection. */
function runSender(data: SenderData): void {
  const frames = prepareFrames().map(encodeFrame);
  const chunks: Buffer[] = [];
  for (let c = 0; c < POOL_SIZE / FRAMES_PER_CHUNK; c++) {
    chunks.push(Buffer.concat(frames.slice(c * FRAMES_PER_CHUNK, (c + 1) * FRAMES_PER_CHUNK)));
  }
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("error", () => {});
      let started = false;
      ws.on("message", (raw) => {
        const msg = JSON.parse(String(raw)) as { id: number };
        ws.send(JSON.stringify({ result: null, id: msg.id }));
        if (started) return;
        started = true;
        // ws owns the socket for the handshake and the control answers; the data frames bypass its
        // per-message send so the sender is far faster than any receiver.
        let sent = 0;
        let next = 0;
        const pump = (): void => {
          while (sent < data.frames && !socket.destroyed) {
            sent += FRAMES_PER_CHUNK;
            const chunk = chunks[next]!;
            next = (next + 1) % chunks.length;
            if (!socket.write(chunk)) {
              socket.once("drain", pump);
              return;
            }
          }
        };
        setImmediate(pump);
      });
    });
  });
  server.listen(0, "127.0.0.1", () => {
    parentPort!.postMessage((server.address() as AddressInfo).port);
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** (a) A bare ws client: messages/s from the first to the Nth message. */
function measureRaw(url: string, frames: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/stream`, { perMessageDeflate: false, skipUTF8Validation: true });
    let count = 0;
    let start = 0n;
    ws.on("open", () => ws.send(JSON.stringify({ method: "SUBSCRIBE", params: ["btcusdt@trade"], id: 1 })));
    ws.on("message", () => {
      count++;
      if (count === 2) start = process.hrtime.bigint(); // message 1 is the SUBSCRIBE answer
      if (count === frames + 1) {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        ws.terminate();
        resolve((frames - 1) / seconds);
      }
    });
    ws.on("error", reject);
  });
}

/** (b) BinanceMarketStream -> MessageBus: events/s from the first to the Nth delivered. */
async function measureStream(url: string, frames: number): Promise<{ rate: number; parseErrors: number }> {
  const bus = new MessageBus();
  let count = 0;
  let start = 0n;
  let seconds = 0;
  let sink = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const onEvent = (): void => {
    count++;
    if (count === 1) start = process.hrtime.bigint();
    else if (count === frames) {
      seconds = Number(process.hrtime.bigint() - start) / 1e9;
      done();
    }
  };
  bus.subscribe(Topic.Trade, (t: TradeTick) => {
    sink += t.eventTime;
    onEvent();
  });
  bus.subscribe(Topic.Quote, (q: QuoteTick) => {
    sink += q.receivedAt;
    onEvent();
  });
  bus.subscribe(Topic.Bar, (b: Bar) => {
    sink += b.tradeCount;
    onEvent();
  });
  const stream = new BinanceMarketStream({
    streamBaseUrl: url,
    rest: {
      klines: async () => [],
      depth: async () => ({ lastUpdateId: 0, bids: [], asks: [] }),
    },
    sink: {
      onTrade: (t) => bus.publish(Topic.Trade, t),
      onQuote: (q) => bus.publish(Topic.Quote, q),
      onBar: (b) => bus.publish(Topic.Bar, b),
    },
    silenceTimeoutMs: 60_000,
  });
  const specs: StreamSpec[] = SYMBOLS.flatMap((symbol) => [
    { kind: "trade", symbol },
    { kind: "aggTrade", symbol },
    { kind: "bookTicker", symbol },
    { kind: "kline", symbol, interval: "1m" },
  ]);
  stream.subscribe(specs);
  await stream.start();
  await finished;
  const parseErrors = stream.stats().parseErrors;
  await stream.stop();
  if (sink === 0) throw new Error("nothing delivered");
  return { rate: (frames - 1) / seconds, parseErrors };
}

/** (c) parseMarketFrame + publish on in-memory strings: no socket, no Buffer decoding. */
function measureParseOnly(frames: number): number {
  const texts = prepareFrames();
  const bus = new MessageBus();
  let sink = 0;
  bus.subscribe(Topic.Trade, (t) => {
    sink += t.eventTime;
  });
  bus.subscribe(Topic.Quote, (q) => {
    sink += q.receivedAt;
  });
  bus.subscribe(Topic.Bar, (b) => {
    sink += b.tradeCount;
  });
  const run = (n: number): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const f = parseMarketFrame(texts[i & (POOL_SIZE - 1)]!, 1_700_000_000_000_000 + i);
      if (f.kind === "trade") bus.publish(Topic.Trade, f);
      else if (f.kind === "quote") bus.publish(Topic.Quote, f);
      else if (f.kind === "bar") bus.publish(Topic.Bar, f);
      else throw new Error(`bench frame failed to parse: ${f.kind}`);
    }
    return n / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  run(Math.min(frames, 200_000));
  const rate = run(frames);
  if (sink === 0) throw new Error("nothing delivered");
  return rate;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { frames: { type: "string", default: "1000000" }, rounds: { type: "string", default: "3" } },
  });
  const frames = Number(values.frames);
  const rounds = Number(values.rounds);
  const loadBefore = benchMachine().loadAvg;
  const worker = new Worker(new URL(import.meta.url), { workerData: { frames } satisfies SenderData });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  const url = `ws://127.0.0.1:${port}`;
  console.log(
    `sender ready on ${url}; ${frames.toLocaleString("en")} frames per measurement, ${rounds} rounds`,
  );

  const parseOnly = measureParseOnly(frames);
  console.log(`parse + publish, no socket: ${Math.round(parseOnly).toLocaleString("en")} frames/s`);

  await measureRaw(url, Math.min(frames, 200_000)); // warm-up
  await measureStream(url, Math.min(frames, 200_000));
  const raw: number[] = [];
  const stream: number[] = [];
  let parseErrors = 0;
  for (let r = 0; r < rounds; r++) {
    raw.push(await measureRaw(url, frames));
    const s = await measureStream(url, frames);
    stream.push(s.rate);
    parseErrors += s.parseErrors;
    console.log(
      `round ${r + 1}: raw ws ${Math.round(raw.at(-1)!).toLocaleString("en")} msg/s, ` +
        `stream -> bus ${Math.round(s.rate).toLocaleString("en")} frames/s`,
    );
  }
  await worker.terminate();

  const rawMedian = median(raw);
  const streamMedian = median(stream);
  console.log(
    `median: raw ${Math.round(rawMedian).toLocaleString("en")} msg/s, stream ${Math.round(streamMedian).toLocaleString("en")} frames/s ` +
      `(${((streamMedian / rawMedian) * 100).toFixed(0)} % of raw); target ${TARGET_FRAMES_PER_S.toLocaleString("en")}`,
  );
  console.log(
    JSON.stringify({
      bench: "ws-ingest",
      machine: benchMachine(),
      load_before: loadBefore,
      frames_per_measurement: frames,
      rounds,
      mix: "trade, aggTrade, bookTicker, kline (in progress) in equal shares; 8 symbols; combined-stream frames",
      raw_ws_receive_per_s: Math.round(rawMedian),
      stream_to_bus_per_s: Math.round(streamMedian),
      stream_over_raw: Math.round((streamMedian / rawMedian) * 1000) / 1000,
      parse_publish_no_socket_per_s: Math.round(parseOnly),
      raw_rounds: raw.map(Math.round),
      stream_rounds: stream.map(Math.round),
      parse_errors: parseErrors,
      target_per_s: TARGET_FRAMES_PER_S,
      target_met: streamMedian >= TARGET_FRAMES_PER_S,
    }),
  );
}

if (isMainThread) {
  await main();
} else {
  runSender(workerData as SenderData);
}
