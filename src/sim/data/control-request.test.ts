import assert from "node:assert/strict";
import { test } from "node:test";
import { errorReply, parseControlRequest, resultReply } from "./control-request.ts";

function reply(text: string): unknown {
  const r = parseControlRequest(text);
  assert.equal(r.ok, false, `expected an error for ${text}`);
  return r.ok ? undefined : JSON.parse(r.reply);
}

test("valid requests of every method parse (reference 1.5 examples)", () => {
  assert.deepEqual(
    parseControlRequest('{"method": "SUBSCRIBE", "params": ["btcusdt@aggTrade", "btcusdt@depth"], "id": 1}'),
    {
      ok: true,
      request: { method: "SUBSCRIBE", id: 1, streams: ["btcusdt@aggTrade", "btcusdt@depth"] },
    },
  );
  assert.deepEqual(parseControlRequest('{"method": "UNSUBSCRIBE", "params": ["btcusdt@depth"], "id": 312}'), {
    ok: true,
    request: { method: "UNSUBSCRIBE", id: 312, streams: ["btcusdt@depth"] },
  });
  assert.deepEqual(parseControlRequest('{"method": "LIST_SUBSCRIPTIONS", "id": 3}'), {
    ok: true,
    request: { method: "LIST_SUBSCRIPTIONS", id: 3 },
  });
  assert.deepEqual(parseControlRequest('{"method": "SET_PROPERTY", "params": ["combined", true], "id": 5}'), {
    ok: true,
    request: { method: "SET_PROPERTY", id: 5, value: true },
  });
  assert.deepEqual(parseControlRequest('{"method": "GET_PROPERTY", "params": ["combined"], "id": 2}'), {
    ok: true,
    request: { method: "GET_PROPERTY", id: 2 },
  });
  // ids: integers (signed), alphanumeric strings up to 36 (UUIDs as the Java connector sends), null.
  for (const id of [
    "-7",
    '"e9d6b4349871b40611412680b3445fac"',
    '"eaf3292c-64b6-4c04-ad4f-4ca2608b42b4"',
    "null",
  ]) {
    assert.ok(parseControlRequest(`{"method":"LIST_SUBSCRIPTIONS","id":${id}}`).ok, id);
  }
  assert.equal(resultReply(null, 1), '{"result":null,"id":1}');
  assert.equal(resultReply(["a@trade"], "x"), '{"result":["a@trade"],"id":"x"}');
  assert.equal(errorReply(3, "m"), '{"error":{"code":3,"msg":"m"}}');
});

test("code 3: invalid JSON names the line and column", () => {
  assert.deepEqual(reply("hello"), {
    error: { code: 3, msg: "Invalid JSON: expected value at line 1 column 1" },
  });
  assert.deepEqual(reply('{"method" 1}'), {
    error: { code: 3, msg: "Invalid JSON: expected value at line 1 column 11" },
  });
});

test("code 2: missing or unknown method, bad id, invalid stream, too many parameters, bad property name", () => {
  assert.deepEqual(reply('{"params":[],"id":1}'), {
    error: { code: 2, msg: "Invalid request: missing field `method` at line 1 column 20" },
  });
  assert.deepEqual(reply('{"method":"SUBSCRIBEX","id":1}'), {
    error: {
      code: 2,
      msg: "Invalid request: unknown variant `SUBSCRIBEX`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 column 22",
    },
  });
  for (const id of ["1.5", '"has space"', '"toolong-toolong-toolong-toolong-toolong"', "true", "{}"]) {
    assert.deepEqual(reply(`{"method":"LIST_SUBSCRIPTIONS","id":${id}}`), {
      error: { code: 2, msg: "Invalid request: request ID must be an unsigned integer" },
      id: null,
    });
  }
  assert.deepEqual(reply('{"method":"LIST_SUBSCRIPTIONS"}'), {
    error: { code: 2, msg: "Invalid request: request ID must be an unsigned integer" },
    id: null,
  });
  for (const params of ['["BTCUSDT@trade"]', '["btcusdt@nope"]', '"btcusdt@trade"', "[1]"]) {
    assert.deepEqual(reply(`{"method":"SUBSCRIBE","params":${params},"id":9}`), {
      error: { code: 2, msg: "Invalid request: invalid stream" },
      id: 9,
    });
  }
  assert.deepEqual(reply('{"method":"LIST_SUBSCRIPTIONS","params":["x"],"id":4}'), {
    error: { code: 2, msg: "Invalid request: too many parameters" },
    id: 4,
  });
  assert.deepEqual(reply('{"method":"SET_PROPERTY","params":["combined",true,1],"id":4}'), {
    error: { code: 2, msg: "Invalid request: too many parameters" },
    id: 4,
  });
  for (const params of ["[5, true]", "[]"]) {
    assert.deepEqual(reply(`{"method":"SET_PROPERTY","params":${params},"id":6}`), {
      error: { code: 2, msg: "Invalid request: property name must be a string" },
      id: 6,
    });
  }
});

test("code 0 for an unknown property, code 1 for a non-boolean value", () => {
  assert.deepEqual(reply('{"method":"GET_PROPERTY","params":["compressed"],"id":7}'), {
    error: { code: 0, msg: "Unknown property" },
    id: 7,
  });
  assert.deepEqual(reply('{"method":"SET_PROPERTY","params":["combined","yes"],"id":8}'), {
    error: { code: 1, msg: "Invalid value type: expected Boolean" },
    id: 8,
  });
});
