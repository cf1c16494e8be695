import type { SeededRandom } from "./seeded-random.ts";

/** The kinds of damage the malformed-frames fault does, used in turn. */
export const FRAME_MUTATIONS = ["truncated", "wrongType", "missingField", "garbage", "mixed"] as const;
export type FrameMutation = (typeof FRAME_MUTATIONS)[number];

const GARBAGE =
  '{}[]":,\\ abcXYZ0123456789\u0000\u0001\u0007\u001b\u007f\u00e9\u00ff\u20ac\u6f22\u{1f4a5}nulltruefalse';
const GARBAGE_CHARS = Array.from(GARBAGE);

/**
 * Returns a damaged copy of a frame's JSON text: cut short, a value of the wrong type, a field
 * removed, random characters, or two of those at once. The result always differs from the input and
 * stays valid UTF-8 (a text frame with invalid UTF-8 would make the client's WebSocket library close
 * the connection instead of handing the bad message to the application).
 */
export function mutateFrame(text: string, kind: FrameMutation, rng: SeededRandom): string {
  let out: string;
  switch (kind) {
    case "truncated":
      out = truncate(text, rng);
      break;
    case "wrongType":
      out = editJson(text, rng, "type") ?? garbage(rng);
      break;
    case "missingField":
      out = editJson(text, rng, "delete") ?? garbage(rng);
      break;
    case "garbage":
      out = garbage(rng);
      break;
    default:
      out =
        rng.next() < 0.5
          ? truncate(editJson(text, rng, "type") ?? text, rng)
          : (editJson(text, rng, "delete") ?? text) + garbage(rng);
  }
  return out === text ? `${text}\u0000` : out;
}

function truncate(text: string, rng: SeededRandom): string {
  const chars = Array.from(text);
  if (chars.length < 2) return "{";
  return chars.slice(0, rng.int(1, chars.length - 1)).join("");
}

function garbage(rng: SeededRandom): string {
  let s = "";
  const n = rng.int(1, 48);
  for (let i = 0; i < n; i++) s += GARBAGE_CHARS[rng.int(0, GARBAGE_CHARS.length - 1)];
  return s;
}

/** Changes one value's type or deletes one key, anywhere in the JSON object; undefined when not JSON. */
function editJson(text: string, rng: SeededRandom, how: "type" | "delete"): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const slots: { owner: Record<string, unknown>; key: string }[] = [];
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== "object") return;
    for (const [key, child] of Object.entries(v)) {
      if (!Array.isArray(v)) slots.push({ owner: v as Record<string, unknown>, key });
      walk(child);
    }
  };
  walk(value);
  const slot = slots[rng.int(0, slots.length - 1)];
  if (slot === undefined) return undefined;
  if (how === "delete") delete slot.owner[slot.key];
  else slot.owner[slot.key] = retype(slot.owner[slot.key]);
  return JSON.stringify(value);
}

function retype(v: unknown): unknown {
  if (typeof v === "string") {
    const n = Number(v);
    return v !== "" && Number.isFinite(n) ? n : 12345;
  }
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "true" : 0;
  if (v === null) return "null";
  return Array.isArray(v) ? { length: v.length } : [v];
}
