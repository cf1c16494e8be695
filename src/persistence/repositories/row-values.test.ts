import assert from "node:assert/strict";
import { test } from "node:test";
import { dec, isDesError } from "../../core/index.ts";
import {
  countOf,
  decimalMapOf,
  decimalMapText,
  decimalOf,
  integerOf,
  jsonOf,
  jsonText,
  optionalTextOf,
  textOf,
} from "./row-values.ts";

const storeFailed = (e: unknown) => isDesError(e, "DES_ERR_STORE_FAILED");

test("decimals read back exactly from SQLite text and PostgreSQL NUMERIC text (trailing zeros)", () => {
  assert.equal(decimalOf({ v: "0.000000000000000001" }, "v").toString(), "0.000000000000000001");
  assert.equal(decimalOf({ v: "1.500000000000000000" }, "v").toString(), "1.5");
  assert.equal(decimalOf({ v: "-12345678901234567890123" }, "v").toString(), "-12345678901234567890123");
  assert.equal(decimalOf({ v: 7 }, "v").toString(), "7");
  assert.equal(decimalOf({ v: 10n ** 30n }, "v").toString(), `1${"0".repeat(30)}`);
  assert.throws(() => decimalOf({ v: 0.1 }, "v"), storeFailed, "a float is never a decimal");
  assert.throws(() => decimalOf({ v: null }, "v"), storeFailed);
});

test("integers accept numbers, bigints and PostgreSQL BIGINT text within the safe range", () => {
  assert.equal(integerOf({ v: 1_704_067_200_000_000 }, "v"), 1_704_067_200_000_000);
  assert.equal(integerOf({ v: "42" }, "v"), 42);
  assert.equal(integerOf({ v: 42n }, "v"), 42);
  assert.throws(() => integerOf({ v: "9007199254740993" }, "v"), storeFailed);
  assert.throws(() => integerOf({ v: 1.5 }, "v"), storeFailed);
  assert.throws(() => integerOf({}, "v"), storeFailed);
  assert.equal(countOf([{ n: "3" }]), 3);
  assert.equal(countOf([]), 0);
});

test("text columns: NULL is undefined only where the column is nullable", () => {
  assert.equal(textOf({ v: "x" }, "v"), "x");
  assert.throws(() => textOf({ v: null }, "v"), storeFailed);
  assert.equal(optionalTextOf({ v: null }, "v"), undefined);
  assert.equal(optionalTextOf({ v: "y" }, "v"), "y");
  assert.throws(() => optionalTextOf({ v: 3 }, "v"), storeFailed);
});

test("JSON columns round-trip; invalid JSON is a store error; undefined is stored as null", () => {
  assert.deepEqual(jsonOf({ v: jsonText({ a: [1, "b"] }) }, "v"), { a: [1, "b"] });
  assert.equal(jsonText(undefined), "null");
  assert.throws(() => jsonOf({ v: "{nope" }, "v"), storeFailed);
});

test("decimal maps are stored with sorted keys and exact strings", () => {
  const text = decimalMapText({ USDT: dec("0.10"), BNB: dec("-0.000000000000000001") });
  assert.equal(text, '{"BNB":"-0.000000000000000001","USDT":"0.1"}');
  const back = decimalMapOf({ v: text }, "v");
  assert.equal(back.USDT?.toString(), "0.1");
  assert.throws(() => decimalMapOf({ v: "[1]" }, "v"), storeFailed);
  assert.throws(() => decimalMapOf({ v: '{"A":1.5}' }, "v"), storeFailed);
});
