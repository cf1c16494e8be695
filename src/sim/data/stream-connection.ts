import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { encodeTextFrame } from "./ws-frame.ts";

/** A server ping waiting for its pong. */
interface PendingPing {
  readonly seq: number;
  readonly at: number;
}

/**
 * One market stream connection: its socket, mode (raw or combined, ms or µs), subscribed streams,
 * ping bookkeeping and incoming-message window. Frames are written straight to the socket as
 * pre-encoded bytes (the `ws` sender writes whole frames synchronously when compression is off, so
 * its control frames never interleave with ours).
 */
export class StreamConnection {
  readonly ws: WebSocket;
  readonly socket: Duplex;
  readonly microseconds: boolean;
  readonly openedAt: number;
  combined: boolean;
  /** Subscribed streams, in subscription order (LIST_SUBSCRIPTIONS). */
  readonly streams = new Set<string>();
  lastPingAt: number;
  #pings: PendingPing[] = [];
  #seq = 0;
  /** Times of the last `max` incoming messages, as a ring. */
  readonly #incoming: number[];
  #incomingNext = 0;
  open = true;
  /** Corked until the end of the current tick (the server batches writes). */
  corked = false;

  constructor(
    ws: WebSocket,
    socket: Duplex,
    combined: boolean,
    microseconds: boolean,
    now: number,
    maxIncoming: number,
  ) {
    this.ws = ws;
    this.socket = socket;
    this.combined = combined;
    this.microseconds = microseconds;
    this.openedAt = now;
    this.lastPingAt = now;
    this.#incoming = new Array<number>(Math.max(1, maxIncoming)).fill(Number.NEGATIVE_INFINITY);
  }

  /** Writes pre-encoded frame bytes; returns the bytes now waiting in the socket's buffer. */
  write(frame: Buffer): number {
    this.socket.write(frame);
    return this.socket.writableLength;
  }

  /** Sends a small text message (a control reply). */
  sendText(text: string): void {
    if (this.open) this.write(encodeTextFrame(text));
  }

  /** Records an incoming message; returns false when it is one more than the limit within a second. */
  countIncoming(now: number): boolean {
    const i = this.#incomingNext;
    const oldest = this.#incoming[i] as number;
    this.#incoming[i] = now;
    this.#incomingNext = (i + 1) % this.#incoming.length;
    return now - oldest >= 1000;
  }

  /** Sends a ping whose payload is a sequence number and remembers it. */
  ping(now: number): void {
    const seq = ++this.#seq;
    this.#pings.push({ seq, at: now });
    this.lastPingAt = now;
    this.ws.ping(String(seq));
  }

  /** Handles a pong: one echoing a pending ping's payload answers it and every older one. */
  pong(payload: Buffer): void {
    const seq = Number(payload.toString("latin1"));
    if (!Number.isInteger(seq)) return;
    if (this.#pings.some((p) => p.seq === seq)) this.#pings = this.#pings.filter((p) => p.seq > seq);
  }

  /** Time the oldest unanswered ping was sent, if any. */
  oldestPendingPing(): number | undefined {
    return this.#pings[0]?.at;
  }

  /** Forgets pending pings and restarts the ping clock (after a stall: nothing was sent meanwhile). */
  resetPings(now: number): void {
    this.#pings = [];
    this.lastPingAt = now;
  }
}
