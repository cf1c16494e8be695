import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { SimStreamEndpoint } from "./sim-market-ports.ts";
import type { SimRestHandler } from "./sim-rest-handler.ts";
import type { SimWsApiServer } from "./sim-ws-api-server.ts";

/** What the HTTP server routes to. */
export interface SimHttpRoutes {
  readonly rest: SimRestHandler;
  readonly control: (req: IncomingMessage, res: ServerResponse, path: string) => void;
  readonly wsApi: SimWsApiServer;
  readonly streams: SimStreamEndpoint | undefined;
}

/**
 * The simulator's single port: REST (/api/...), the control surface (/sim/...), and WebSocket upgrades for
 * the WebSocket API (/ws-api/v3) and the market streams (/ws, /ws/<streams>, /stream?streams=...). Tracks
 * every socket so faults and restarts can cut them all, and can stop and resume listening on the same port.
 */
export class SimHttpServer {
  readonly #server: Server;
  readonly #routes: SimHttpRoutes;
  readonly #sockets = new Set<Socket>();
  readonly #host: string;
  #port: number;

  constructor(routes: SimHttpRoutes, host: string, port: number) {
    this.#routes = routes;
    this.#host = host;
    this.#port = port;
    this.#server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) =>
      this.#request(req, res),
    );
    this.#server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket, head),
    );
    this.#server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    // A client that breaks the HTTP protocol loses its socket, nothing else.
    this.#server.on("clientError", (_err, socket: Duplex) => socket.destroy());
  }

  /** The port listened on (the real one once listening, also when 0 was asked for). */
  get port(): number {
    return this.#port;
  }

  /** The host listened on. */
  get host(): string {
    return this.#host;
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once("error", onError);
      this.#server.listen({ port: this.#port, host: this.#host }, () => {
        this.#server.off("error", onError);
        const address = this.#server.address();
        if (address !== null && typeof address === "object") this.#port = address.port;
        resolve(this.#port);
      });
    });
  }

  /** Whether the server is accepting connections. */
  get listening(): boolean {
    return this.#server.listening;
  }

  /** Destroys every open socket (HTTP keep-alive and upgraded WebSockets alike) without a goodbye. */
  destroySockets(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  /** Open sockets. */
  socketCount(): number {
    return this.#sockets.size;
  }

  /** Stops listening and destroys every socket; resolves once the port is free. */
  async stopListening(): Promise<void> {
    if (!this.#server.listening) {
      this.destroySockets();
      return;
    }
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.destroySockets();
    await closed;
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    if (path.startsWith("/sim/")) {
      this.#routes.control(req, res, path);
      return;
    }
    this.#routes.rest.handle(req, res, path, q === -1 ? "" : url.slice(q + 1));
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    if (path === "/ws-api/v3") {
      this.#routes.wsApi.handleUpgrade(req, socket, head, q === -1 ? "" : url.slice(q + 1));
      return;
    }
    const streams = this.#routes.streams;
    if (streams !== undefined && (path === "/ws" || path.startsWith("/ws/") || path.startsWith("/stream"))) {
      streams.handleUpgrade(req, socket, head);
      return;
    }
    socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  }
}
