import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { DesError, ErrorCode } from "./errors.ts";

test("docs/errors.md documents exactly the codes in ErrorCode", () => {
  const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
  const documented = new Set([...doc.matchAll(/^\| `(DES_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  const defined = new Set(Object.values(ErrorCode));
  assert.deepEqual([...documented].sort(), [...defined].sort());
});

test("every code is unique and stable in form", () => {
  const values = Object.values(ErrorCode);
  assert.equal(new Set(values).size, values.length);
  for (const v of values) assert.match(v, /^DES_ERR_[A-Z_]+$/);
});

test("DesError serialises without its stack", () => {
  const e = new DesError(ErrorCode.InvalidConfig, "bad", { key: "DES_PORT" });
  assert.deepEqual(JSON.parse(JSON.stringify(e)), {
    code: "DES_ERR_INVALID_CONFIG",
    message: "bad",
    details: { key: "DES_PORT" },
  });
});
