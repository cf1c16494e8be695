import type { Duplex } from "node:stream";
import WebSocket from "ws";
import type { SimCredential } from "./sim-credential-store.ts";
import type { UserEventSink, UserSubscription } from "./user-event-router.ts";

/** A request id as the WebSocket API echoes it: integer, short string, or null. */
export type WsApiId = number | string | null;

/** Largest number of subscriptions one connection may create over its lifetime (reference section 6.1). */
export const MAX_SUBSCRIPTION_IDS = 65_535;

/**
 * One WebSocket API connection: its logon, its user data subscriptions and its liveness. Sends are dropped
 * once the socket is no longer open; a reader that falls more than `maxBufferedBytes` behind is disconnected
 * (the send buffer is the only buffer, so it is bounded this way).
 *
 * Frames sent in one tick leave in one write: the first send of a tick corks the connection's socket
 * and the next tick uncorks it. An order's executionReports and outboundAccountPosition then reach
 * the client in one TCP write instead of one each (the same bytes, in the same order), which saves
 * a system call and a wake-up of the reader per frame.
 */
export class WsApiSession implements UserEventSink {
  readonly ws: WebSocket;
  readonly connectedSinceMs: number;
  readonly openedAtWallMs: number;
  readonly returnRateLimits: boolean;
  readonly #maxBufferedBytes: number;
  logon: { readonly credential: SimCredential; readonly authorizedSinceMs: number } | undefined;
  readonly subscriptions = new Map<number, UserSubscription>();
  nextSubscriptionId = 0;
  lastPongWallMs: number;
  pingSeq = 0;
  /** The upgraded socket the frames are written to; corked while a tick's frames gather. */
  readonly #socket: Duplex | undefined;
  #corked = false;

  constructor(
    ws: WebSocket,
    connectedSinceMs: number,
    returnRateLimits: boolean,
    maxBufferedBytes: number,
    socket?: Duplex,
  ) {
    this.ws = ws;
    this.#socket = socket;
    this.connectedSinceMs = connectedSinceMs;
    this.returnRateLimits = returnRateLimits;
    this.#maxBufferedBytes = maxBufferedBytes;
    this.openedAtWallMs = Date.now();
    this.lastPongWallMs = this.openedAtWallMs;
  }

  /** Sends a text frame unless the socket is closing; disconnects a reader that is too far behind. */
  send(text: string): void {
    const ws = this.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    this.#corkUntilNextTick();
    ws.send(text);
    if (ws.bufferedAmount > this.#maxBufferedBytes) ws.terminate();
  }

  /** Holds this tick's frames in the socket's buffer; they are written together on the next tick. */
  #corkUntilNextTick(): void {
    const socket = this.#socket;
    if (this.#corked || socket === undefined) return;
    this.#corked = true;
    socket.cork();
    process.nextTick(() => {
      this.#corked = false;
      socket.uncork();
    });
  }

  /** Sends a user data event in the WebSocket API envelope. */
  sendEvent(subscriptionId: number, payloadJson: string): void {
    this.send(`{"subscriptionId":${subscriptionId},"event":${payloadJson}}`);
  }

  /** The logon subscription (created by userDataStream.subscribe), if any. */
  logonSubscription(): UserSubscription | undefined {
    for (const sub of this.subscriptions.values()) if (sub.viaLogon) return sub;
    return undefined;
  }

  /** The subscription of an account on this connection, if any (one per account). */
  subscriptionOf(accountId: string): UserSubscription | undefined {
    for (const sub of this.subscriptions.values()) if (sub.accountId === accountId) return sub;
    return undefined;
  }
}
