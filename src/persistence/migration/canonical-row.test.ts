import assert from "node:assert/strict";
import { test } from "node:test";
import { TABLES } from "../schema/tables.ts";
import { canonicalRowText, canonicalValue, normalizeDecimalText } from "./canonical-row.ts";
import { RowSetDigest } from "./table-checksum.ts";

test("decimals with the same value have the same canonical text", () => {
  const cases: [string, string][] = [
    ["1.50", "1.5"],
    ["1.5", "1.5"],
    ["0010.000", "10"],
    ["-0.000", "0"],
    ["+2.10", "2.1"],
    [".5", "0.5"],
    ["0", "0"],
    ["-12.3400", "-12.34"],
    ["100", "100"],
    [
      "123456789012345678901234567890.123456789012345678901",
      "123456789012345678901234567890.123456789012345678901",
    ],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeDecimalText(input), expected, input);
  assert.equal(normalizeDecimalText("NaN"), "NaN");
  assert.equal(normalizeDecimalText("1e5"), "1e5");
});

test("integers read as a number, a bigint or text have one canonical text", () => {
  assert.equal(canonicalValue("integer", 1_700_000_000_000_000), "1700000000000000");
  assert.equal(canonicalValue("integer", 1_700_000_000_000_000n), "1700000000000000");
  assert.equal(canonicalValue("integer", "1700000000000000"), "1700000000000000");
  assert.equal(canonicalValue("integer", null), "\\N");
  assert.equal(canonicalValue("text", "\\N"), "\\\\N", "the text \\N is not NULL");
});

test("row text is unambiguous: a tab inside a value is not a column boundary", () => {
  const spec = TABLES.strategyState;
  const a = canonicalRowText(spec, { strategy_id: "a\tb", state_json: "c", updated_at: 1 });
  const b = canonicalRowText(spec, { strategy_id: "a", state_json: "b\tc", updated_at: 1 });
  assert.notEqual(a, b);
});

test("the row-set digest ignores order and sees every row", () => {
  const rows = ["r1", "r2", "r3"];
  const forward = new RowSetDigest();
  for (const r of rows) forward.add(r);
  const backward = new RowSetDigest();
  for (const r of [...rows].reverse()) backward.add(r);
  assert.equal(forward.hex(), backward.hex());
  assert.equal(forward.rows, 3);
  const fewer = new RowSetDigest();
  fewer.add("r1");
  fewer.add("r2");
  assert.notEqual(fewer.hex(), forward.hex());
  const changed = new RowSetDigest();
  for (const r of ["r1", "r2", "r4"]) changed.add(r);
  assert.notEqual(changed.hex(), forward.hex());
  assert.match(forward.hex(), /^[0-9a-f]{64}$/);
});
