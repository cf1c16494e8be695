/**
 * Starts and stops the Binance simulator in its own process (bench/support/sim-server-process.ts), so
 * a bench's client and the exchange do not share one event loop or one CPU, as with a real exchange.
 */
import { type ChildProcess, fork } from "node:child_process";
import type { BinanceSimulatorOptions } from "../../src/sim/index.ts";
import type { SimServerReady } from "./sim-server-process.ts";

/** A simulator running in a child process. */
export interface SimProcess {
  readonly child: ChildProcess;
  readonly port: number;
}

/**
 * Forks the simulator with the options and resolves once it listens; `execArgv` goes to the child's
 * node (e.g. ["--cpu-prof"] to profile the exchange side). Rejects if it is not up within 60 s.
 */
export function startSimProcess(
  options: BinanceSimulatorOptions,
  execArgv: readonly string[] = [],
): Promise<SimProcess> {
  const child = fork(new URL("./sim-server-process.ts", import.meta.url), [JSON.stringify(options)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [...process.execArgv, ...execArgv],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error("the simulator process did not report its port within 60 s"));
    }, 60_000);
    child.once("message", (msg: SimServerReady) => {
      clearTimeout(timer);
      if ("port" in msg) resolve({ child, port: msg.port });
      else reject(new Error(`the simulator process failed to start: ${msg.error}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator process exited early (code ${code})`));
    });
  });
}

/** Asks the child to stop and waits for it to exit (killed after 5 s). */
export async function stopSimProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.send("stop");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
