import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = new URL("../", import.meta.url).pathname;
const DES = join(ROOT, "src/cli/des.ts");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `des` with the given args and env; onStdout may act on the output (send a signal). */
function runDes(
  args: string[],
  env: Record<string, string>,
  onStdout?: (text: string, kill: (s: NodeJS.Signals) => void) => void,
  boundMs = 60_000,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DES, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const bound = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`des ${args.join(" ")} did not finish within ${boundMs} ms\n${stdout}\n${stderr}`));
    }, boundMs);
    child.stdout.on("data", (d) => {
      stdout += d;
      onStdout?.(stdout, (s) => child.kill(s));
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code) => {
      clearTimeout(bound);
      resolve({ code, stdout, stderr });
    });
  });
}

test("des --help lists the commands", async () => {
  const r = await runDes(["--help"], {});
  assert.equal(r.code, 0);
  for (const cmd of ["run", "strategies", "config"]) assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`));
});

test("a bad setting stops start-up with exit 2, naming the key, the value and what was expected", async () => {
  const r = await runDes(["run"], { DES_PORT: "80800" });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /DES_ERR_INVALID_CONFIG/);
  assert.match(r.stderr, /DES_PORT="80800"/);
  assert.match(r.stderr, /65535/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace for a configuration error");
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`${signal} shuts down gracefully: state saved, store closed, exit 0`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "des-cli-"));
    let sent = false;
    const r = await runDes(
      ["run"],
      { DES_PORT: "0", DES_DB_PATH: join(dir, "des.sqlite"), DES_REPLAY_SPEED: "600", DES_LOG_LEVEL: "info" },
      (out, kill) => {
        if (!sent && out.includes('"msg":"DES running"')) {
          sent = true;
          kill(signal);
        }
      },
    );
    assert.ok(sent, "DES reported it was running");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"graceful":true,"msg":"DES stopped"/);
    const { openEmbeddedStore } = await import("../src/persistence/index.ts");
    const store = await openEmbeddedStore({ dbPath: join(dir, "des.sqlite") });
    assert.ok((await store.counts()).strategy_state > 0, "strategy state saved on shutdown");
    await store.close();
  });
}
