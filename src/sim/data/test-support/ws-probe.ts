import { WebSocket } from "ws";

/** What a probe saw, in arrival order. */
export type ProbeEvent =
  | { readonly kind: "message"; readonly text: string }
  | { readonly kind: "ping"; readonly data: string }
  | { readonly kind: "pong"; readonly data: string };

/**
 * A test WebSocket client that records every message, ping and pong, and waits for them with a bound
 * (a failing test fails with a timeout error instead of hanging).
 */
export class WsProbe {
  readonly ws: WebSocket;
  readonly events: ProbeEvent[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #read = 0;
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    const notify = (): void => {
      for (const w of this.#waiters.splice(0)) w();
    };
    ws.on("message", (data, isBinary) => {
      this.events.push({ kind: "message", text: isBinary ? "<binary>" : data.toString() });
      notify();
    });
    ws.on("ping", (data) => {
      this.events.push({ kind: "ping", data: data.toString() });
      notify();
    });
    ws.on("pong", (data) => {
      this.events.push({ kind: "pong", data: data.toString() });
      notify();
    });
    ws.on("error", () => {});
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString() });
        notify();
      });
    });
  }

  /** Connects; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, options: { autoPong?: boolean } = {}): Promise<WsProbe> {
    const ws = new WebSocket(url, { autoPong: options.autoPong ?? true, perMessageDeflate: false });
    const probe = new WsProbe(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(probe));
      ws.once("unexpected-response", (_req, res) => {
        reject(new Error(`upgrade refused: ${res.statusCode}`));
        res.resume();
        ws.terminate();
      });
      ws.once("error", reject);
    });
  }

  /** Sends a JSON control message (or raw text). */
  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Returns the next unread message text, waiting at most timeoutMs. */
  async next(timeoutMs = 5000): Promise<string> {
    const e = await this.waitFor((x) => x.kind === "message", timeoutMs);
    return (e as { text: string }).text;
  }

  /** Returns the next unread event matching the predicate (skipping others), waiting at most timeoutMs. */
  async waitFor(match: (e: ProbeEvent) => boolean, timeoutMs = 5000): Promise<ProbeEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#read < this.events.length) {
        const e = this.events[this.#read++] as ProbeEvent;
        if (match(e)) return e;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the close, at most timeoutMs. */
  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the client socket at once. */
  terminate(): void {
    this.ws.terminate();
  }
}
