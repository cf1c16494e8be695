import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ErrorCode, isDesError } from "../core/index.ts";
import { checkCommandAccess, commandAuth, isLoopbackHost, refusal } from "./command-auth.ts";

const TOKEN = "s3cret-token-0123456789";

describe("isLoopbackHost", () => {
  test("127.0.0.0/8, ::1 and localhost are loopback", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "::ffff:127.0.0.1"])
      assert.equal(isLoopbackHost(h), true, h);
  });

  test("wildcards, LAN and public addresses and names are not", () => {
    for (const h of [
      "0.0.0.0",
      "::",
      "192.168.1.10",
      "10.0.0.1",
      "::ffff:10.0.0.1",
      "example.com",
      "128.0.0.1",
    ])
      assert.equal(isLoopbackHost(h), false, h);
  });
});

describe("commandAuth", () => {
  test("no token on a loopback host: commands allowed without a header", () => {
    const auth = commandAuth("127.0.0.1", undefined);
    assert.equal(auth.kind, "loopback");
    assert.equal(refusal(auth, undefined), undefined);
  });

  test("no token on a non-loopback host is refused with a clear DES_ERR_INVALID_CONFIG", () => {
    assert.throws(() => checkCommandAccess("192.168.1.10", undefined), /DES_API_TOKEN is not set/);
    assert.doesNotThrow(() => checkCommandAccess("192.168.1.10", TOKEN));
    assert.throws(
      () => commandAuth("0.0.0.0", undefined),
      (e: unknown) =>
        isDesError(e, ErrorCode.InvalidConfig) &&
        /0\.0\.0\.0/.test(e.message) &&
        /DES_API_TOKEN/.test(e.message),
    );
  });

  test("a short or spaced token is refused without echoing it", () => {
    for (const bad of ["short-token", "has a space in it 0123456789", ""]) {
      assert.throws(
        () => commandAuth("127.0.0.1", bad),
        (e: unknown) => isDesError(e, ErrorCode.InvalidConfig) && (bad === "" || !e.message.includes(bad)),
      );
    }
  });

  test("with a token, only `Bearer <token>` passes, on any host", () => {
    const auth = commandAuth("0.0.0.0", TOKEN);
    assert.equal(auth.kind, "bearer");
    assert.equal(refusal(auth, `Bearer ${TOKEN}`), undefined);
    assert.equal(refusal(auth, `bearer ${TOKEN}`), undefined);
    assert.match(refusal(auth, undefined)!, /needs an Authorization: Bearer/);
    assert.match(refusal(auth, `Basic ${TOKEN}`)!, /must be Bearer/);
    assert.match(refusal(auth, `Bearer ${TOKEN}x`)!, /not valid/);
    assert.match(refusal(auth, `Bearer ${TOKEN.slice(0, -1)}`)!, /not valid/);
    assert.match(refusal(auth, "Bearer ")!, /must be Bearer/);
    for (const message of [refusal(auth, `Bearer wrong-${TOKEN}`)!, refusal(auth, undefined)!])
      assert.ok(!message.includes(TOKEN));
  });
});
