import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/** A control message the server received, with its arrival time (performance.now ms). */
export interface ReceivedControl {
  readonly connection: number;
  readonly method: string;
  readonly params: string[];
  readonly id: unknown;
  readonly atMs: number;
}

/** One accepted client connection. */
export interface FakeConnection {
  readonly index: number;
  readonly ws: WebSocket;
  readonly path: string;
  /** Streams subscribed on this connection (SUBSCRIBE adds, UNSUBSCRIBE removes). */
  readonly subscribed: Set<string>;
  closed: boolean;
}

/**
 * A Binance-like combined-stream endpoint on loopback for tests: records control messages, answers
 * them with `{"result": null, "id": ...}` (unless `answer` says otherwise) and lets the test push
 * frames, close or terminate connections.
 */
export class FakeStreamServer {
  readonly connections: FakeConnection[] = [];
  readonly controls: ReceivedControl[] = [];
  /** Decides the reply to a control message; return undefined to send nothing. */
  answer: (control: ReceivedControl) => string | undefined = (c) =>
    JSON.stringify({ result: null, id: c.id });
  readonly #wss: WebSocketServer;
  readonly url: string;

  private constructor(wss: WebSocketServer, url: string) {
    this.#wss = wss;
    this.url = url;
    wss.on("connection", (ws, req) => {
      const conn: FakeConnection = {
        index: this.connections.length,
        ws,
        path: req.url ?? "",
        subscribed: new Set(),
        closed: false,
      };
      this.connections.push(conn);
      ws.on("close", () => {
        conn.closed = true;
      });
      ws.on("error", () => {});
      ws.on("message", (data) => {
        const msg = JSON.parse(String(data)) as { method: string; params?: string[]; id: unknown };
        const control: ReceivedControl = {
          connection: conn.index,
          method: msg.method,
          params: msg.params ?? [],
          id: msg.id,
          atMs: performance.now(),
        };
        this.controls.push(control);
        for (const p of control.params) {
          if (control.method === "SUBSCRIBE") conn.subscribed.add(p);
          else if (control.method === "UNSUBSCRIBE") conn.subscribed.delete(p);
        }
        const reply = this.answer(control);
        if (reply !== undefined) ws.send(reply);
      });
    });
  }

  /** Starts a server on 127.0.0.1 and a free port. */
  static async start(): Promise<FakeStreamServer> {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    const port = (wss.address() as AddressInfo).port;
    return new FakeStreamServer(wss, `ws://127.0.0.1:${port}`);
  }

  /** The open connections. */
  open(): FakeConnection[] {
    return this.connections.filter((c) => !c.closed);
  }

  /** Sends a text frame on a connection (default: the newest open one). */
  send(text: string, conn: FakeConnection | undefined = this.open().at(-1)): void {
    if (conn === undefined) throw new Error("no open connection to send on");
    conn.ws.send(text);
  }

  /** Waits until the predicate holds, checking every 5 ms; rejects after timeoutMs naming what it waited for. */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return waitUntil(predicate, what, timeoutMs);
  }

  /** Closes every client connection and the server. */
  async close(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

/** Polls until the predicate holds (every 5 ms), rejecting after timeoutMs. */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (!predicate()) {
    if (performance.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
