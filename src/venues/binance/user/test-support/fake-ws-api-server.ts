import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";

/** One request a client sent to the fake WS API. */
export interface FakeWsApiRequest {
  /** Which connection (0 = the first accepted) sent it. */
  readonly connection: number;
  readonly id: unknown;
  readonly method: string;
  readonly params: Record<string, unknown> | undefined;
}

/** The reply to a request: a result, a Binance error, or nothing (the request goes unanswered). */
export type FakeWsApiReply =
  | { readonly result: unknown }
  | { readonly status: number; readonly code: number; readonly msg: string }
  | undefined;

/**
 * A tiny WebSocket API stand-in for unit tests: records every request, answers through a
 * replaceable handler (default: subscriptions succeed with ids 0, 1, 2... per server) and can push
 * events, close or silence connections. Listens on port 0 on the loopback interface.
 */
export class FakeWsApiServer {
  readonly requests: FakeWsApiRequest[] = [];
  readonly connections: WebSocket[] = [];
  handler: (request: FakeWsApiRequest) => FakeWsApiReply;
  #server: WebSocketServer;
  #nextSubscriptionId = 0;
  #waiters: Array<() => void> = [];

  private constructor(server: WebSocketServer) {
    this.#server = server;
    this.handler = (request) => this.defaultReply(request);
    server.on("connection", (ws) => {
      const connection = this.connections.length;
      this.connections.push(ws);
      ws.on("close", () => this.#wake());
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as {
          id: unknown;
          method: string;
          params?: Record<string, unknown>;
        };
        const request = { connection, id: frame.id, method: frame.method, params: frame.params };
        this.requests.push(request);
        const reply = this.handler(request);
        if (reply !== undefined && ws.readyState === WebSocket.OPEN) {
          ws.send(
            JSON.stringify(
              "result" in reply
                ? { id: frame.id, status: 200, result: reply.result }
                : { id: frame.id, status: reply.status, error: { code: reply.code, msg: reply.msg } },
            ),
          );
        }
        this.#wake();
      });
      this.#wake();
    });
  }

  /** Starts a server on an ephemeral loopback port. */
  static async start(): Promise<FakeWsApiServer> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    return new FakeWsApiServer(server);
  }

  /** The ws:// URL of the server. */
  get url(): string {
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}/ws-api/v3`;
  }

  /** The default answer: subscriptions and logons succeed. */
  defaultReply(request: FakeWsApiRequest): FakeWsApiReply {
    switch (request.method) {
      case "session.logon":
        return { result: { apiKey: request.params?.["apiKey"], authorizedSince: 1, userDataStream: false } };
      case "userDataStream.subscribe":
      case "userDataStream.subscribe.signature":
        return { result: { subscriptionId: this.#nextSubscriptionId++ } };
      default:
        return { status: 400, code: -1100, msg: "unknown method" };
    }
  }

  /** The subscription id the last successful subscribe returned. */
  get lastSubscriptionId(): number {
    return this.#nextSubscriptionId - 1;
  }

  /** Sends a raw text frame on the latest connection. */
  sendRaw(text: string): void {
    const ws = this.connections.at(-1);
    if (ws === undefined) throw new Error("no connection");
    ws.send(text);
  }

  /** Sends `{subscriptionId, event}` on the latest connection (subscriptionId left out when null). */
  sendEvent(event: object, subscriptionId: number | null = this.lastSubscriptionId): void {
    this.sendRaw(JSON.stringify(subscriptionId === null ? { event } : { subscriptionId, event }));
  }

  /** Drops the latest connection without a close handshake. */
  dropLatest(): void {
    this.connections.at(-1)?.terminate();
  }

  /** Resolves once the predicate holds (checked after every connection, request and close), or rejects after boundMs. */
  async until(predicate: () => boolean, what: string, boundMs = 5000): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}`));
      }, boundMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        resolve();
      };
      this.#waiters.push(check);
    });
  }

  /** Closes every connection and the server. */
  async close(): Promise<void> {
    for (const ws of this.connections) ws.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
