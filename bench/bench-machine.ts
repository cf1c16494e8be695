import { availableParallelism, cpus, loadavg, platform, totalmem } from "node:os";

/** What a benchmark ran on, for its JSON result line. */
export interface BenchMachine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly platform: string;
  readonly node: string;
  /** 1, 5 and 15 minute load averages when the figure was taken (a shared machine skews results). */
  readonly loadAvg: readonly [number, number, number];
}

/** Returns the CPU model, core count, memory, platform, node version and current load average. */
export function benchMachine(): BenchMachine {
  const cpu = cpus();
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  const round2 = (x: number): number => Math.round(x * 100) / 100;
  return {
    cpu: cpu[0]?.model ?? "unknown",
    cores: availableParallelism(),
    memoryGb: Math.round(totalmem() / 2 ** 30),
    platform: platform(),
    node: process.version,
    loadAvg: [round2(one), round2(five), round2(fifteen)],
  };
}
