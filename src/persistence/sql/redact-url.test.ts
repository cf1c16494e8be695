import assert from "node:assert/strict";
import { test } from "node:test";
import { redactCredentials, redactUrl, urlPassword } from "./redact-url.ts";

test("a URL's password is replaced by ***", () => {
  assert.equal(
    redactUrl("postgres://des:s3cret@db.example:5432/des"),
    "postgres://des:***@db.example:5432/des",
  );
  assert.equal(
    redactUrl("postgres://des:p%40ss@h/db?sslmode=require"),
    "postgres://des:***@h/db?sslmode=require",
  );
  assert.equal(
    redactUrl("postgres://postgres@127.0.0.1:5432/test"),
    "postgres://postgres@127.0.0.1:5432/test",
  );
  assert.equal(redactUrl("not a url //u:pw@host"), "not a url //u:***@host");
});

test("free text loses credentials and the known secrets", () => {
  assert.equal(
    redactCredentials("failed: postgres://a:b@c/d and p@ss later", ["p@ss"]),
    "failed: postgres://a:***@c/d and *** later",
  );
  assert.equal(urlPassword("postgres://des:p%40ss@h/db"), "p@ss");
  assert.equal(urlPassword("postgres://des@h/db"), undefined);
});
