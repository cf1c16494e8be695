import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RequestLog } from "./request-log.ts";

describe("RequestLog", () => {
  it("keeps the last entries oldest first and counts the overwritten ones", () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 5; i++)
      log.record({ transport: "rest", method: "GET", path: `/p${i}`, timeMs: i, status: 200 });
    assert.deepEqual(
      log.entries().map((e) => e.path),
      ["/p2", "/p3", "/p4"],
    );
    assert.equal(log.size, 3);
    assert.equal(log.dropped, 2);
    log.clear();
    assert.deepEqual(log.entries(), []);
  });
});
