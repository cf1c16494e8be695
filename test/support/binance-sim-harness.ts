/**
 * Shared pieces of the Binance acceptance tests (test/binance-*.test.ts): a bounded wait, a cleanup
 * stack, the simulator's HMAC account as credentials (with a signer that records every signature), a
 * REST client and a recording market sink pointed at a simulator, and an in-memory pino logger.
 */
import { Writable } from "node:stream";
import type { TestContext } from "node:test";
import { createLogger } from "../../src/app/logger.ts";
import type { InstrumentId } from "../../src/core/index.ts";
import {
  type Bar,
  type Instrument,
  parseExchangeInfo,
  type QuoteTick,
  type TradeTick,
} from "../../src/model/index.ts";
import {
  BinanceSimulator,
  type BinanceSimulatorOptions,
  DOCS_HMAC_API_KEY,
  DOCS_HMAC_SECRET_KEY,
} from "../../src/sim/index.ts";
import {
  BinanceCredentials,
  BinanceRestClient,
  type BinanceRestClientOptions,
  type MarketStreamSink,
} from "../../src/venues/binance/index.ts";
import { hmacSigner } from "../../src/venues/binance/signing/request-signer.ts";

/** Waits until the condition holds, polling every 20 ms, for at most timeoutMs; throws naming `what`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs registered closers in reverse order when the test ends, pass or fail; one failing does not stop the rest. */
export class Cleanup {
  readonly #closers: Array<() => unknown> = [];

  constructor(t: TestContext) {
    t.after(() => this.run());
  }

  /** Registers a closer and returns the value, so construction and registration are one line. */
  add<T>(value: T, close: (value: T) => unknown): T {
    this.#closers.push(() => close(value));
    return value;
  }

  async run(): Promise<void> {
    for (const close of this.#closers.splice(0).reverse()) {
      try {
        await close();
      } catch {
        // A closer that fails (already closed) must not keep the others from running.
      }
    }
  }
}

/** Starts a simulator (klines source only unless told otherwise) that is stopped when the test ends. */
export async function startSim(
  cleanup: Cleanup,
  options: BinanceSimulatorOptions = {},
): Promise<BinanceSimulator> {
  const sim = await BinanceSimulator.start({ sources: [{ kind: "klines" }], ...options });
  return cleanup.add(sim, (s) => s.stop());
}

/** Every signature a RecordingCredentials signer produced, in order. */
export interface SignatureRecord {
  readonly payloads: string[];
  readonly signatures: string[];
}

/** Returns HMAC credentials for the simulator's "hmac" account (or a wrong secret) recording what it signs. */
export function hmacCredentials(secret: string = DOCS_HMAC_SECRET_KEY): {
  credentials: BinanceCredentials;
  record: SignatureRecord;
} {
  const inner = hmacSigner(secret);
  const record: SignatureRecord = { payloads: [], signatures: [] };
  const credentials = new BinanceCredentials(DOCS_HMAC_API_KEY, {
    keyType: inner.keyType,
    sign: (payload) => {
      const signature = inner.sign(payload);
      record.payloads.push(payload);
      record.signatures.push(signature);
      return signature;
    },
  });
  return { credentials, record };
}

/** A REST client on the simulator with the HMAC account's credentials; closed when the test ends. */
export function simRest(
  cleanup: Cleanup,
  sim: BinanceSimulator,
  options: Partial<BinanceRestClientOptions> = {},
): BinanceRestClient {
  const rest = new BinanceRestClient({
    baseUrl: sim.restUrl,
    credentials: hmacCredentials().credentials,
    forbidProductionHosts: true,
    ...options,
  });
  return cleanup.add(rest, (r) => r.close());
}

/** Returns the exchange's instruments for the symbols, as the venue needs them. */
export async function simInstruments(
  rest: BinanceRestClient,
  symbols: readonly string[],
): Promise<Map<InstrumentId, Instrument>> {
  return parseExchangeInfo(await rest.exchangeInfo(symbols));
}

/** A market sink that keeps what it receives. */
export interface RecordingSink extends MarketStreamSink {
  readonly trades: TradeTick[];
  readonly quotes: QuoteTick[];
  readonly bars: Bar[];
  bookUpdates: number;
}

/** Returns a sink that records trades, quotes and bars and counts book updates. */
export function recordingSink(): RecordingSink {
  const sink: RecordingSink = {
    trades: [],
    quotes: [],
    bars: [],
    bookUpdates: 0,
    onTrade: (t) => sink.trades.push(t),
    onQuote: (q) => sink.quotes.push(q),
    onBar: (b) => sink.bars.push(b),
    onBookUpdate: () => {
      sink.bookUpdates++;
    },
  };
  return sink;
}

/** A pino logger (the app's, with its redaction) writing JSON lines to memory. */
export function memoryLogger(level = "trace"): {
  logger: ReturnType<typeof createLogger>;
  text: () => string;
} {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger(level, sink), text: () => lines.join("") };
}
