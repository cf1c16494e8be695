import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger } from "./logger.ts";

test("secrets are redacted from log lines", () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger("info", sink);
  log.info(
    {
      apiKey: "AKIA-very-secret",
      request: {
        signature: "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
        password: "pw",
      },
    },
    "signed request",
  );
  const out = lines.join("");
  assert.ok(out.includes("signed request"));
  assert.ok(!out.includes("AKIA-very-secret"));
  assert.ok(!out.includes("c8db5682"));
  assert.ok(!out.includes('"pw"'));
  assert.ok(out.includes("[redacted]"));
});
