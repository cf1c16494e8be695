/**
 * Runs a BinanceSimulator in its own process for benchmarks, so the client under test and the server
 * do not share one event loop (as with a real exchange). Start it with `fork()` and an IPC channel:
 * argv[2] is the BinanceSimulatorOptions as JSON (optional). The child sends `{ port }` once it
 * listens, or `{ error }` if it could not start; it stops the simulator and exits on a "stop" message
 * or when the parent goes away (IPC disconnect), so it never outlives the bench.
 */
import type { BinanceSimulatorOptions } from "../../src/sim/index.ts";
import { BinanceSimulator } from "../../src/sim/index.ts";

/** What the child reports to its parent once. */
export type SimServerReady = { readonly port: number } | { readonly error: string };

async function main(): Promise<void> {
  if (process.send === undefined) {
    console.error("sim-server-process: start me with child_process.fork (an IPC channel is needed)");
    process.exit(2);
  }
  const options = JSON.parse(process.argv[2] ?? "{}") as BinanceSimulatorOptions;
  let sim: BinanceSimulator;
  try {
    sim = await BinanceSimulator.start(options);
  } catch (err) {
    process.send({ error: String(err) } satisfies SimServerReady);
    process.exit(1);
  }
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await sim.stop();
    process.exit(0);
  };
  process.on("message", (msg) => {
    if (msg === "stop") void stop();
  });
  process.on("disconnect", () => void stop());
  process.send({ port: sim.port } satisfies SimServerReady);
}

await main();
