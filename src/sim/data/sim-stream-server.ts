import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { errorReply, parseControlRequest, resultReply } from "./control-request.ts";
import { FRAME_MUTATIONS, type FrameMutation, mutateFrame } from "./frame-mutator.ts";
import { withMicroTimes } from "./micro-times.ts";
import { type SeededRandom, seededRandom } from "./seeded-random.ts";
import type { SimMarketData } from "./sim-market-data.ts";
import { StreamConnection } from "./stream-connection.ts";
import { MAX_STREAMS_PER_CONNECTION } from "./stream-name.ts";
import { parseStreamUrl } from "./stream-url.ts";
import { encodeTextFrame } from "./ws-frame.ts";

/** Options of SimStreamServer (defaults are Binance's, reference 1.3 and 1.4). */
export interface SimStreamServerOptions {
  readonly marketData: SimMarketData;
  /** Wall clock, ms. */
  readonly now: () => number;
  /** Server ping interval (default 20,000). */
  readonly pingIntervalMs?: number | undefined;
  /** Disconnect when a ping has no pong for this long (default 60,000). */
  readonly pongTimeoutMs?: number | undefined;
  /** Disconnect at this connection age (default 24 h). */
  readonly maxConnectionAgeMs?: number | undefined;
  /** Streams one connection may listen to (default 1024). */
  readonly maxStreamsPerConnection?: number | undefined;
  /** Incoming messages (ping, pong, JSON) per second before a disconnect (default 5). */
  readonly maxIncomingPerSecond?: number | undefined;
  /** Unsent bytes a connection may have queued before it is dropped as too slow (default 64 MiB). */
  readonly maxBufferedBytes?: number | undefined;
  /** Seed of the malformed-frame fault (default 99). */
  readonly seed?: number | undefined;
}

/** The stream server's fault switches (reference 1.3 for serverShutdown). */
export interface SimStreamServerFaults {
  /** Keeps sockets open but sends nothing, answers no ping and no request (half-open) until stall(false). */
  stall(on: boolean): void;
  /** Destroys every socket without a close frame. */
  killAll(): void;
  /** Damages the next `count` published events (each kind in turn: truncated, wrong type, missing field, garbage, mixed). */
  malformed(count: number): void;
  /**
   * Sends the serverShutdown event (raw, or as `!serverShutdown` on combined connections); with
   * closeAfterMs, closes every connection (1001) that long afterwards, like Binance's shutdown.
   */
  serverShutdown(closeAfterMs?: number): void;
}

/** Counters of the stream server. */
export interface SimStreamServerStats {
  readonly connections: number;
  readonly framesSent: number;
  readonly controlMessages: number;
  readonly rateLimitDisconnects: number;
  readonly pongTimeoutDisconnects: number;
  readonly ageDisconnects: number;
  readonly slowConsumerDisconnects: number;
  readonly rejectedUpgrades: number;
  readonly malformedSent: number;
  /** Incoming messages (ping, pong, JSON) ignored because the server was stalled. */
  readonly ignoredWhileStalled: number;
}

const DAY_MS = 86_400_000;

/**
 * Binance's market stream endpoint (reference 1.2-1.5): raw `/ws/<streams>` and combined
 * `/stream?streams=` connections, live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY /
 * GET_PROPERTY, ping frames every pingIntervalMs and a disconnect when a pong is missing for
 * pongTimeoutMs, a disconnect above maxIncomingPerSecond messages, at most maxStreamsPerConnection
 * streams, and the 24 h lifetime. Each event is serialised once and encoded once per form (raw,
 * combined, µs) and the same bytes go to every subscriber. A connection whose unsent data exceeds
 * maxBufferedBytes is terminated (it cannot keep up; the buffer would otherwise grow without bound).
 */
export class SimStreamServer {
  readonly faults: SimStreamServerFaults;
  readonly #marketData: SimMarketData;
  readonly #now: () => number;
  readonly #pingIntervalMs: number;
  readonly #pongTimeoutMs: number;
  readonly #maxAgeMs: number;
  readonly #maxStreams: number;
  readonly #maxIncoming: number;
  readonly #maxBuffered: number;
  readonly #wss: WebSocketServer;
  readonly #connections = new Set<StreamConnection>();
  readonly #subscribers = new Map<string, Set<StreamConnection>>();
  readonly #rng: SeededRandom;
  readonly #unsubscribe: () => void;
  readonly #timer: NodeJS.Timeout;
  readonly #shutdownTimers = new Set<NodeJS.Timeout>();
  #stalled = false;
  #closed = false;
  #malformedLeft = 0;
  #mutation = 0;
  #lastPayload: object | undefined;
  #lastText = "";
  #framesSent = 0;
  #controlMessages = 0;
  #rateLimitDisconnects = 0;
  #pongTimeoutDisconnects = 0;
  #ageDisconnects = 0;
  #slowDisconnects = 0;
  #rejectedUpgrades = 0;
  #malformedSent = 0;
  #ignoredWhileStalled = 0;
  readonly #corked: StreamConnection[] = [];
  #flushScheduled = false;
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    for (const c of this.#corked.splice(0)) {
      c.corked = false;
      c.socket.uncork();
    }
  };

  constructor(options: SimStreamServerOptions) {
    this.#marketData = options.marketData;
    this.#now = options.now;
    this.#pingIntervalMs = options.pingIntervalMs ?? 20_000;
    this.#pongTimeoutMs = options.pongTimeoutMs ?? 60_000;
    this.#maxAgeMs = options.maxConnectionAgeMs ?? DAY_MS;
    this.#maxStreams = options.maxStreamsPerConnection ?? MAX_STREAMS_PER_CONNECTION;
    this.#maxIncoming = options.maxIncomingPerSecond ?? 5;
    this.#maxBuffered = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.#rng = seededRandom(options.seed ?? 99);
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      autoPong: false,
      maxPayload: 1024 * 1024,
    });
    this.#unsubscribe = this.#marketData.onStreamEvent(
      (stream, payload) => this.#publish(stream, payload),
      (stream) => this.#subscribers.has(stream),
    );
    const tick = Math.max(
      5,
      Math.min(1000, Math.floor(Math.min(this.#pingIntervalMs, this.#pongTimeoutMs) / 4)),
    );
    this.#timer = setInterval(() => this.sweep(), tick);
    this.#timer.unref();
    this.faults = {
      stall: (on) => this.#stall(on),
      killAll: () => {
        for (const c of [...this.#connections]) this.#drop(c, "kill");
      },
      malformed: (count) => {
        this.#malformedLeft += Math.max(0, Math.floor(count));
      },
      serverShutdown: (closeAfterMs) => this.#serverShutdown(closeAfterMs),
    };
  }

  /** Takes over an HTTP upgrade for `/ws`, `/ws/<streams>` or `/stream?streams=`; refuses anything else. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = parseStreamUrl(req.url ?? "/", this.#maxStreams);
    if (this.#closed || !url.ok) {
      const status = url.ok ? 503 : url.status;
      const body = url.ok
        ? '{"code":-1,"msg":"Server closing."}'
        : `{"code":${url.code},"msg":${JSON.stringify(url.msg)}}`;
      this.#rejectedUpgrades++;
      socket.on("error", () => {});
      socket.end(
        `HTTP/1.1 ${status} ${status === 404 ? "Not Found" : status === 503 ? "Service Unavailable" : "Bad Request"}\r\n` +
          `Connection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) =>
      this.#accept(ws, socket, url.combined, url.microseconds, url.streams),
    );
  }

  /** Open connections. */
  connectionCount(): number {
    return this.#connections.size;
  }

  stats(): SimStreamServerStats {
    return {
      connections: this.#connections.size,
      framesSent: this.#framesSent,
      controlMessages: this.#controlMessages,
      rateLimitDisconnects: this.#rateLimitDisconnects,
      pongTimeoutDisconnects: this.#pongTimeoutDisconnects,
      ageDisconnects: this.#ageDisconnects,
      slowConsumerDisconnects: this.#slowDisconnects,
      rejectedUpgrades: this.#rejectedUpgrades,
      malformedSent: this.#malformedSent,
      ignoredWhileStalled: this.#ignoredWhileStalled,
    };
  }

  /** Publishes a ready payload text on a stream (benchmarks, tests): wrapped for combined connections. */
  broadcastRaw(stream: string, frameText: string): void {
    const subs = this.#subscribers.get(stream);
    if (subs !== undefined && !this.#stalled) this.#deliver(stream, subs, frameText, undefined);
  }

  /** Publishes many payload texts on a stream at once: encoded once, one socket write per connection. */
  burst(stream: string, frames: readonly string[]): void {
    const subs = this.#subscribers.get(stream);
    if (subs === undefined || this.#stalled || frames.length === 0) return;
    const prefix = `{"stream":${JSON.stringify(stream)},"data":`;
    let raw: Buffer | undefined;
    let combined: Buffer | undefined;
    for (const c of subs) {
      if (c.combined && combined === undefined) {
        combined = Buffer.concat(frames.map((f) => encodeTextFrame(`${prefix}${f}}`)));
      } else if (!c.combined && raw === undefined) {
        raw = Buffer.concat(frames.map((f) => encodeTextFrame(f)));
      }
      this.#write(c, (c.combined ? combined : raw) as Buffer);
    }
    this.#framesSent += frames.length * subs.size;
  }

  /** Runs the periodic checks now: pings, pong timeouts, connection age (the timer calls it too). */
  sweep(): void {
    if (this.#stalled) return;
    const now = this.#now();
    for (const c of [...this.#connections]) {
      if (now - c.openedAt >= this.#maxAgeMs) {
        this.#ageDisconnects++;
        this.#drop(c, "close", 1000, "Connection lifetime exceeded");
        continue;
      }
      const pending = c.oldestPendingPing();
      if (pending !== undefined && now - pending >= this.#pongTimeoutMs) {
        this.#pongTimeoutDisconnects++;
        this.#drop(c, "kill");
        continue;
      }
      if (now - c.lastPingAt >= this.#pingIntervalMs) c.ping(now);
    }
  }

  /** Stops listening to the market data and drops every connection; resolves when the sockets are closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const t of this.#shutdownTimers) clearTimeout(t);
    this.#shutdownTimers.clear();
    this.#unsubscribe();
    const closing = [...this.#connections].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.socket.destroyed) resolve();
          else c.socket.once("close", () => resolve());
        }),
    );
    for (const c of [...this.#connections]) this.#drop(c, "kill");
    await Promise.all(closing);
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(
    ws: WebSocket,
    socket: Duplex,
    combined: boolean,
    microseconds: boolean,
    streams: readonly string[],
  ): void {
    if (this.#closed) {
      ws.terminate();
      return;
    }
    const c = new StreamConnection(ws, socket, combined, microseconds, this.#now(), this.#maxIncoming);
    this.#connections.add(c);
    for (const s of streams) this.#subscribe(c, s);
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => this.#onMessage(c, data));
    ws.on("ping", (data: Buffer) => {
      if (this.#allowIncoming(c)) ws.pong(data);
    });
    ws.on("pong", (data: Buffer) => {
      if (this.#allowIncoming(c)) c.pong(data);
    });
    ws.on("close", () => this.#forget(c));
    ws.on("error", () => this.#forget(c));
  }

  #onMessage(c: StreamConnection, data: Buffer | ArrayBuffer | Buffer[]): void {
    if (!this.#allowIncoming(c)) return;
    this.#controlMessages++;
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString("utf8")
      : Buffer.isBuffer(data)
        ? data.toString("utf8")
        : Buffer.from(data).toString("utf8");
    const parsed = parseControlRequest(text);
    if (!parsed.ok) {
      c.sendText(parsed.reply);
      return;
    }
    const r = parsed.request;
    switch (r.method) {
      case "SUBSCRIBE": {
        const added = r.streams.filter((s) => !c.streams.has(s));
        if (c.streams.size + new Set(added).size > this.#maxStreams) {
          c.sendText(errorReply(2, `Invalid request: too many streams (maximum ${this.#maxStreams})`, r.id));
          return;
        }
        for (const s of added) this.#subscribe(c, s);
        c.sendText(resultReply(null, r.id));
        return;
      }
      case "UNSUBSCRIBE":
        for (const s of r.streams) this.#unsubscribeStream(c, s);
        c.sendText(resultReply(null, r.id));
        return;
      case "LIST_SUBSCRIPTIONS":
        c.sendText(resultReply([...c.streams], r.id));
        return;
      case "SET_PROPERTY":
        c.combined = r.value;
        c.sendText(resultReply(null, r.id));
        return;
      case "GET_PROPERTY":
        c.sendText(resultReply(c.combined, r.id));
        return;
    }
  }

  /**
   * Counts an incoming message; above the limit the connection is closed (1008) and false returned.
   * While stalled every message is ignored (a half-open server reads nothing).
   */
  #allowIncoming(c: StreamConnection): boolean {
    if (!c.open) return false;
    if (this.#stalled) {
      this.#ignoredWhileStalled++;
      return false;
    }
    if (c.countIncoming(this.#now())) return true;
    this.#rateLimitDisconnects++;
    this.#drop(c, "close", 1008, "Too many requests");
    return false;
  }

  #subscribe(c: StreamConnection, stream: string): void {
    c.streams.add(stream);
    let subs = this.#subscribers.get(stream);
    if (subs === undefined) {
      subs = new Set();
      this.#subscribers.set(stream, subs);
    }
    subs.add(c);
  }

  #unsubscribeStream(c: StreamConnection, stream: string): void {
    c.streams.delete(stream);
    const subs = this.#subscribers.get(stream);
    if (subs === undefined) return;
    subs.delete(c);
    if (subs.size === 0) this.#subscribers.delete(stream);
  }

  #publish(stream: string, payload: object): void {
    const subs = this.#subscribers.get(stream);
    if (subs === undefined || this.#stalled) return;
    // One payload object often goes to two streams (depth and depth@100ms): serialise it once.
    if (payload !== this.#lastPayload) {
      this.#lastPayload = payload;
      this.#lastText = JSON.stringify(payload);
    }
    this.#deliver(stream, subs, this.#lastText, payload);
  }

  #deliver(
    stream: string,
    subs: ReadonlySet<StreamConnection>,
    text: string,
    payload: object | undefined,
  ): void {
    // Up to four encodings of the event (raw / combined x ms / µs), each built at most once.
    const frames: (Buffer | undefined)[] = [undefined, undefined, undefined, undefined];
    let microText: string | undefined;
    const damage = this.#malformedLeft > 0;
    const kind = FRAME_MUTATIONS[this.#mutation % FRAME_MUTATIONS.length] as FrameMutation;
    if (damage) {
      this.#malformedLeft--;
      this.#malformedSent++;
      this.#mutation++;
    }
    for (const c of subs) {
      const micro = c.microseconds && payload !== undefined;
      const slot = (micro ? 2 : 0) + (c.combined ? 1 : 0);
      let frame = frames[slot];
      if (frame === undefined) {
        let body = text;
        if (micro) {
          if (microText === undefined) microText = JSON.stringify(withMicroTimes(payload));
          body = microText;
        }
        const full = c.combined ? `{"stream":${JSON.stringify(stream)},"data":${body}}` : body;
        frame = encodeTextFrame(damage ? mutateFrame(full, kind, this.#rng) : full);
        frames[slot] = frame;
      }
      this.#write(c, frame);
    }
    this.#framesSent += subs.size;
  }

  #write(c: StreamConnection, frame: Buffer): void {
    if (!c.open) return;
    if (!c.corked) {
      // Frames written in the same tick leave in one writev instead of one syscall each.
      c.corked = true;
      c.socket.cork();
      this.#corked.push(c);
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        process.nextTick(this.#flush);
      }
    }
    if (c.write(frame) > this.#maxBuffered) {
      this.#slowDisconnects++;
      this.#drop(c, "kill");
    }
  }

  #stall(on: boolean): void {
    if (this.#stalled === on) return;
    this.#stalled = on;
    if (!on) {
      const now = this.#now();
      for (const c of this.#connections) c.resetPings(now);
    }
  }

  #serverShutdown(closeAfterMs: number | undefined): void {
    const E = this.#now();
    const raw = encodeTextFrame(`{"e":"serverShutdown","E":${E}}`);
    const combined = encodeTextFrame(`{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":${E}}}`);
    for (const c of this.#connections) this.#write(c, c.combined ? combined : raw);
    if (closeAfterMs === undefined) return;
    const timer = setTimeout(() => {
      this.#shutdownTimers.delete(timer);
      for (const c of [...this.#connections]) this.#drop(c, "close", 1001, "Server shutdown");
    }, closeAfterMs);
    timer.unref();
    this.#shutdownTimers.add(timer);
  }

  /** Removes a connection from every stream, then closes it (close frame) or destroys its socket. */
  #drop(c: StreamConnection, how: "close" | "kill", code?: number, reason?: string): void {
    this.#forget(c);
    if (how === "kill") c.ws.terminate();
    else c.ws.close(code, reason);
  }

  #forget(c: StreamConnection): void {
    if (!c.open) return;
    c.open = false;
    this.#connections.delete(c);
    for (const s of c.streams) {
      const subs = this.#subscribers.get(s);
      if (subs === undefined) continue;
      subs.delete(c);
      if (subs.size === 0) this.#subscribers.delete(s);
    }
  }
}
