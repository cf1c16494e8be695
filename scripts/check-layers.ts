/**
 * Checks the layer import rules of docs/ARCHITECTURE.md: each folder under src/ may import only the
 * folders listed for it, and only through their index.ts. Exits 1 with every violation listed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const SRC = resolve(import.meta.dirname, "..", "src");

/** Which modules each module may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  model: ["core"],
  bus: ["core", "model"],
  indicators: ["core", "model"],
  monitor: ["core"],
  market: ["core", "model", "bus"],
  strategy: ["core", "model", "bus", "indicators"],
  portfolio: ["core", "model", "bus"],
  risk: ["core", "model", "bus", "portfolio"],
  execution: ["core", "model", "bus"],
  persistence: ["core", "model"],
  "venues/paper": ["core", "model"],
  "venues/binance": ["core", "model"],
  sim: ["core", "model", "market"],
  api: ["core"],
  backtest: [
    "core",
    "model",
    "bus",
    "indicators",
    "market",
    "strategy",
    "risk",
    "execution",
    "portfolio",
    "venues/paper",
    "monitor",
    "persistence",
  ],
  app: ["*"],
  cli: ["*"],
};

/** Returns the module a file belongs to: the longest ALLOWED key that prefixes its folder. */
function moduleOf(file: string): string | undefined {
  const rel = relative(SRC, file).split(sep).join("/");
  let best: string | undefined;
  for (const key of Object.keys(ALLOWED)) {
    if ((rel.startsWith(`${key}/`) || rel === key) && (best === undefined || key.length > best.length))
      best = key;
  }
  return best;
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith(".ts")) yield p;
  }
}

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const violations: string[] = [];

for (const file of walk(SRC)) {
  const from = moduleOf(file);
  const relFile = relative(resolve(SRC, ".."), file);
  if (from === undefined) {
    violations.push(`${relFile}: folder has no layer rule in scripts/check-layers.ts`);
    continue;
  }
  const isTest = file.endsWith(".test.ts");
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2];
    if (spec === undefined || !spec.startsWith(".")) continue;
    const target = resolve(dirname(file), spec);
    const to = moduleOf(target);
    if (to === undefined) {
      if (!target.startsWith(SRC)) continue; // data files, fixtures
      violations.push(`${relFile}: imports ${spec}, which is in no layer`);
      continue;
    }
    if (to === from) continue;
    const allowed = ALLOWED[from] ?? [];
    if (!allowed.includes("*") && !allowed.includes(to) && !isTest) {
      violations.push(`${relFile}: ${from} may not import ${to} (${spec})`);
    }
    const viaIndex = target.endsWith(`${sep}index.ts`) && target.startsWith(join(SRC, to) + sep);
    if (!viaIndex && !isTest) {
      violations.push(`${relFile}: imports ${spec}; other layers are reached through ${to}/index.ts`);
    }
  }
}

if (violations.length > 0) {
  console.error(`layer rules: ${violations.length} violation(s)\n  ${violations.join("\n  ")}`);
  process.exit(1);
}
console.log("layer rules: ok");
