import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import type { TestContext } from "node:test";

/** Tells whether a `redis-server` binary is on the PATH. */
export function redisServerInstalled(): boolean {
  const result = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
  return result.error === undefined && result.status === 0;
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP port was assigned");
  return address.port;
}

/**
 * A throw-away redis-server of a test's own (the machine's Redis is shared with other tests and must not
 * be killed): no persistence, bound to 127.0.0.1, on a port it keeps across restarts.
 */
export class RedisServerProcess {
  readonly port: number;
  #child: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  /** Starts a server on a free port and waits until it answers PING. */
  static async start(): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(await freePort());
    await server.restart();
    return server;
  }

  /** The server's URL. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** (Re)starts the server on the same port and waits until it answers PING (up to 10 s). */
  async restart(): Promise<void> {
    if (this.#child !== undefined) throw new Error("redis-server is already running");
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        tmpdir(),
      ],
      { stdio: "ignore" },
    );
    this.#child = child;
    child.once("exit", () => {
      if (this.#child === child) this.#child = undefined;
    });
    const deadline = performance.now() + 10_000;
    while (!(await pingOnce(this.port))) {
      if (this.#child !== child) throw new Error(`redis-server on port ${this.port} exited at start`);
      if (performance.now() > deadline)
        throw new Error(`redis-server on port ${this.port} did not answer PING`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Kills the server with SIGKILL (no shutdown, like a crash) and waits for the process to end. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
    this.#child = undefined;
  }
}

/** Sends one PING over a fresh connection; true when +PONG comes back within 500 ms. */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

/**
 * Starts a redis-server of the test's own (the machine's Redis is shared with other tests and is
 * never killed), killed after the test. Without redis-server on the PATH: the test is skipped with
 * the reason, or fails when CI=true; returns undefined then.
 */
export async function startOwnRedisServer(t: TestContext): Promise<RedisServerProcess | undefined> {
  if (!redisServerInstalled()) {
    if (process.env["CI"] === "true") assert.fail("redis-server is not on the PATH");
    t.skip("redis-server is not on the PATH: install redis-server to run this test");
    return undefined;
  }
  const server = await RedisServerProcess.start();
  t.after(() => server.kill());
  return server;
}
