import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the fake server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  /** The raw query string, exactly as sent (what Binance signs). */
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
}

/** What a route answers; `hold: true` never answers (for timeouts). */
export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  hold?: boolean;
}

export type FakeRoute = (req: SeenRequest) => FakeAnswer;

/**
 * A tiny HTTP server for REST client tests: routes by "METHOD /path", records every request, listens
 * on port 0 and closes every connection on close. Test support only (the simulator is the real fake).
 */
export class FakeRestServer {
  readonly seen: SeenRequest[] = [];
  readonly routes = new Map<string, FakeRoute>();
  readonly #server: Server;
  readonly #held: ServerResponse[] = [];

  constructor() {
    this.#server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => {
        body += c;
      });
      req.on("end", () => this.#answer(req, res, body));
    });
  }

  /** Starts listening on 127.0.0.1 and returns the base URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Sets the answer of "METHOD /path". */
  on(route: string, answer: FakeRoute | FakeAnswer): this {
    this.routes.set(route, typeof answer === "function" ? answer : () => answer);
    return this;
  }

  /** Returns the requests to "METHOD /path". */
  requests(route: string): SeenRequest[] {
    return this.seen.filter((r) => `${r.method} ${r.path}` === route);
  }

  async close(): Promise<void> {
    for (const res of this.#held) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #answer(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? "" : url.slice(q + 1);
    const seen: SeenRequest = {
      method: req.method ?? "",
      path,
      rawQuery,
      query: new URLSearchParams(rawQuery),
      headers: req.headers,
      body,
    };
    this.seen.push(seen);
    const route = this.routes.get(`${seen.method} ${path}`);
    const answer = route === undefined ? { status: 404, body: { code: -1, msg: "no route" } } : route(seen);
    if (answer.hold === true) {
      this.#held.push(res);
      return;
    }
    const text = answer.rawBody ?? JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
    res.end(text);
  }
}
