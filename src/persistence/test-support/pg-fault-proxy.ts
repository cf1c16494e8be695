import { once } from "node:events";
import { type AddressInfo, createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/**
 * A TCP proxy in front of a real PostgreSQL for tests that need a server fault at an exact point of
 * the protocol, which killing backends from another session only hits by chance.
 *
 * `terminateAfterNextReadyForQuery()` arms it: the next chunk from the server that ends with a
 * ReadyForQuery message gets a FATAL ErrorResponse 57P01 (what pg_terminate_backend sends) appended
 * in the same chunk, and the connection is then closed, so the client parses the answer of its query
 * and the termination in one go, as it does when a backend is killed right after answering.
 */
export class PgFaultProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #armed = false;
  #terminations = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(upstreamHost: string, upstreamPort: number): Promise<PgFaultProxy> {
    const server = createServer();
    const proxy = new PgFaultProxy(server);
    server.on("connection", (client) => proxy.#relay(client, upstreamHost, upstreamPort));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** How many connections were terminated so far. */
  get terminations(): number {
    return this.#terminations;
  }

  terminateAfterNextReadyForQuery(): void {
    this.#armed = true;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#server.close();
    await once(this.#server, "close");
  }

  #relay(client: Socket, upstreamHost: string, upstreamPort: number): void {
    const upstream = tcpConnect(upstreamPort, upstreamHost);
    this.#sockets.add(client).add(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on("error", closeBoth).on("close", closeBoth);
    upstream.on("error", closeBoth).on("close", closeBoth);
    client.on("data", (chunk: Buffer) => upstream.write(chunk));
    upstream.on("data", (chunk: Buffer) => {
      if (this.#armed && endsWithReadyForQuery(chunk)) {
        this.#armed = false;
        this.#terminations++;
        client.end(Buffer.concat([chunk, ADMIN_SHUTDOWN]));
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
  }
}

/** ReadyForQuery is 'Z', length 5 (int32), one status byte: the last six bytes of an answer. */
function endsWithReadyForQuery(chunk: Buffer): boolean {
  const at = chunk.length - 6;
  return at >= 0 && chunk[at] === 0x5a && chunk.readInt32BE(at + 1) === 5;
}

/** ErrorResponse: severity FATAL, SQLSTATE 57P01, the server's message for a terminated backend. */
const ADMIN_SHUTDOWN = errorResponse({
  S: "FATAL",
  V: "FATAL",
  C: "57P01",
  M: "terminating connection due to administrator command",
});

function errorResponse(fields: Record<string, string>): Buffer {
  const body = Buffer.concat([
    ...Object.entries(fields).map(([type, value]) => Buffer.from(`${type}${value}\0`, "utf8")),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write("E", 0, "latin1");
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
