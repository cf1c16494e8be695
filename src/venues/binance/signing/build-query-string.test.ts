import assert from "node:assert/strict";
import { test } from "node:test";
import { buildQueryString } from "./build-query-string.ts";

test("keeps insertion order and skips undefined and null", () => {
  assert.equal(buildQueryString({ b: 2, a: "x", c: undefined, d: null, e: false }), "b=2&a=x&e=false");
  assert.equal(buildQueryString({}), "");
});

test("arrays and objects travel as percent-encoded JSON (binance-connector-node expectation)", () => {
  assert.equal(
    buildQueryString({ key1: "value1", key2: ["value2", "value3"] }),
    "key1=value1&key2=%5B%22value2%22%2C%22value3%22%5D",
  );
  assert.equal(buildQueryString({ o: { a: 1 } }), "o=%7B%22a%22%3A1%7D");
});

test("encodes reserved characters and non-ASCII with encodeURIComponent", () => {
  assert.equal(buildQueryString({ foo: "bar", foo2: "bar2" }), "foo=bar&foo2=bar2");
  assert.equal(buildQueryString({ q: "a b&c=d+e/é" }), "q=a%20b%26c%3Dd%2Be%2F%C3%A9");
  assert.equal(buildQueryString({ id: "my-order_1.x~" }), "id=my-order_1.x~");
});
