/**
 * CPU time (user + system) used so far by this process and by a child, in milliseconds, so a bench
 * can say how much CPU each side spent per operation. The child's figure comes from /proc (Linux;
 * undefined elsewhere), at the kernel's tick resolution (10 ms).
 */
import { readFileSync } from "node:fs";

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Returns this process's CPU time so far, milliseconds. */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Returns a process's CPU time so far (utime + stime), milliseconds; undefined when /proc is unreadable. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** CPU used by this process and the child between `start` and the call, per operation (microseconds). */
export function cpuMeter(childPid: number | undefined): {
  perOpUs(ops: number): { des: number; sim?: number };
} {
  const des0 = ownCpuMs();
  const sim0 = processCpuMs(childPid);
  return {
    perOpUs(ops) {
      const des = Math.round(((ownCpuMs() - des0) * 1000) / Math.max(1, ops));
      const sim1 = processCpuMs(childPid);
      if (sim0 === undefined || sim1 === undefined) return { des };
      return { des, sim: Math.round(((sim1 - sim0) * 1000) / Math.max(1, ops)) };
    },
  };
}
