import WebSocket from "ws";

/** A WebSocket test client that keeps every text frame it receives and waits for frames with a bound. */
export class WsTestClient {
  readonly ws: WebSocket;
  readonly frames: unknown[] = [];
  closed = false;
  readonly #waiters = new Set<() => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      try {
        this.frames.push(JSON.parse(data.toString()));
      } catch {
        this.frames.push(data.toString());
      }
      for (const w of this.#waiters) w();
    });
    ws.on("close", () => {
      this.closed = true;
      for (const w of this.#waiters) w();
    });
    ws.on("error", () => {});
  }

  /** Connects; rejects if the connection fails. */
  static connect(url: string, options: WebSocket.ClientOptions = {}): Promise<WsTestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const client = new WsTestClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Sends a JSON request. */
  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first received frame matching `pred` (past or future); rejects after `timeoutMs`. */
  waitFor<T = Record<string, unknown>>(
    pred: (f: Record<string, unknown>) => boolean,
    timeoutMs = 3000,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.find(
          (f) => typeof f === "object" && f !== null && pred(f as Record<string, unknown>),
        );
        if (found !== undefined) {
          done();
          resolve(found as T);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Sends a request and waits for the response with the same id. */
  async call(
    id: string | number,
    method: string,
    params?: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    this.send(params === undefined ? { id, method } : { id, method, params });
    return this.waitFor((f) => f["id"] === id);
  }

  /** Resolves once the socket is closed; rejects after `timeoutMs`. */
  waitClosed(timeoutMs = 3000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve();
      const timer = setTimeout(() => reject(new Error("socket not closed in time")), timeoutMs);
      this.ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Closes the socket at once. */
  terminate(): void {
    this.ws.terminate();
  }
}
