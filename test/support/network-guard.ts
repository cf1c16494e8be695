/**
 * Records every outgoing TCP and TLS connection the process attempts (undici and ws both open their
 * sockets through net.connect / tls.connect, read from the module objects at call time) and decides
 * what happens to it: loopback passes, TLS to an allowed host is answered by a local TLS proxy in front
 * of the simulator (the client still verifies a certificate for the host name it asked for), and
 * everything else fails at once without touching the network.
 */
import net from "node:net";
import tls from "node:tls";
import type { Cleanup } from "./binance-sim-harness.ts";
import { TESTNET_TEST_CERT_PEM, TESTNET_TEST_KEY_PEM } from "./testnet-test-cert.ts";

/** One connection attempt as the client made it. */
export interface ConnectAttempt {
  readonly transport: "tcp" | "tls";
  readonly host: string;
  readonly port: number | undefined;
  /** The TLS server name (SNI, and the name the certificate is checked against). */
  readonly servername: string | undefined;
  /** What the guard did with it. */
  readonly outcome: "loopback" | "proxied" | "refused";
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

type AnyConnect = (...args: unknown[]) => net.Socket;

const mutableNet = net as unknown as { connect: AnyConnect; createConnection: AnyConnect };
const mutableTls = tls as unknown as { connect: AnyConnect };
const realNetConnect = net.connect.bind(net) as AnyConnect;
const realTlsConnect = tls.connect.bind(tls) as AnyConnect;

/** Returns host and port of net.connect / tls.connect arguments (options object or port, host). */
function target(args: readonly unknown[]): { host: string; port: number | undefined; options: object } {
  const first = args[0];
  if (typeof first === "object" && first !== null) {
    const o = first as { host?: unknown; port?: unknown };
    return {
      host: typeof o.host === "string" ? o.host : "localhost",
      port: o.port === undefined ? undefined : Number(o.port),
      options: first,
    };
  }
  const port = Number(first);
  const host = typeof args[1] === "string" ? args[1] : "localhost";
  return { host, port, options: { port, host } };
}

function refused(host: string): net.Socket {
  const socket = new net.Socket();
  process.nextTick(() =>
    socket.destroy(
      Object.assign(new Error(`network guard: connection to ${host} refused`), { code: "ECONNREFUSED" }),
    ),
  );
  return socket;
}

/** Installs the guard until the test ends; `proxyToPort`, when given, is where allowed TLS hosts are answered. */
export async function installNetworkGuard(
  cleanup: Cleanup,
  options: { allowedTlsHosts: ReadonlySet<string>; proxyToPort?: number },
): Promise<{ attempts: ConnectAttempt[] }> {
  const attempts: ConnectAttempt[] = [];
  let proxyPort: number | undefined;
  if (options.proxyToPort !== undefined) {
    const upstreamPort = options.proxyToPort;
    const sockets = new Set<net.Socket>();
    const server = tls.createServer({ key: TESTNET_TEST_KEY_PEM, cert: TESTNET_TEST_CERT_PEM }, (client) => {
      const upstream = realNetConnect({ host: "127.0.0.1", port: upstreamPort }) as net.Socket;
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    server.on("tlsClientError", () => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxyPort = (server.address() as net.AddressInfo).port;
    cleanup.add(server, async (s) => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    });
  }

  const netConnect: AnyConnect = (...args) => {
    const { host, port } = target(args);
    const loopback = LOOPBACK.has(host);
    attempts.push({
      transport: "tcp",
      host,
      port,
      servername: undefined,
      outcome: loopback ? "loopback" : "refused",
    });
    return loopback ? realNetConnect(...args) : refused(host);
  };
  const tlsConnect: AnyConnect = (...args) => {
    const { host, port, options: connectOptions } = target(args);
    const servername = (connectOptions as { servername?: unknown }).servername;
    const name = typeof servername === "string" && servername !== "" ? servername : host;
    const allowed = options.allowedTlsHosts.has(host) && proxyPort !== undefined;
    attempts.push({
      transport: "tls",
      host,
      port,
      servername: typeof servername === "string" ? servername : undefined,
      outcome: allowed ? "proxied" : "refused",
    });
    if (!allowed) return refused(host);
    const callback = args.find((a) => typeof a === "function");
    return realTlsConnect(
      { ...connectOptions, host: "127.0.0.1", port: proxyPort, servername: name, ca: TESTNET_TEST_CERT_PEM },
      ...(callback === undefined ? [] : [callback]),
    );
  };
  const saved = {
    netConnect: mutableNet.connect,
    createConnection: mutableNet.createConnection,
    tls: mutableTls.connect,
  };
  mutableNet.connect = netConnect;
  mutableNet.createConnection = netConnect;
  mutableTls.connect = tlsConnect;
  cleanup.add(saved, (s) => {
    mutableNet.connect = s.netConnect;
    mutableNet.createConnection = s.createConnection;
    mutableTls.connect = s.tls;
  });
  return { attempts };
}
