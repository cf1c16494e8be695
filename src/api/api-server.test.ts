import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, test } from "node:test";
import pino from "pino";
import { DesError, ErrorCode, isDesError } from "../core/index.ts";
import { ApiErrorCode } from "./api-error-code.ts";
import type { ApiFacade, HealthReport } from "./api-facade.ts";
import { buildApiServer } from "./api-server.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./metrics-routes.ts";

const OK: HealthReport = { status: "ok", uptimeS: 12, checks: { bus: { status: "ok" } } };
const PROMETHEUS_TEXT = "# HELP des_x_total X.\n# TYPE des_x_total counter\ndes_x_total 1\n";

function facade(overrides: Partial<ApiFacade> = {}): ApiFacade {
  return {
    health: () => OK,
    metricsJson: () => ({
      counters: { des_x_total: [{ labels: {}, value: 1 }] },
      gauges: {},
      histograms: {},
    }),
    metricsPrometheus: () => PROMETHEUS_TEXT,
    ...overrides,
  };
}

function assertNoStack(body: string): void {
  assert.ok(!/\bat .*\(.*:\d+:\d+\)|\.ts:\d+/.test(body), `response leaks a stack trace: ${body}`);
}

describe("buildApiServer", () => {
  test("GET /health is 200 with the report when ok", async () => {
    const { app } = buildApiServer(facade());
    const res = await app.inject({ method: "GET", url: "/health" });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers["content-type"] as string, /^application\/json/);
    assert.deepEqual(res.json(), OK);
    await app.close();
  });

  test("GET /health is 503 with the report when degraded, and awaits an async check", async () => {
    const degraded: HealthReport = {
      status: "degraded",
      uptimeS: 3,
      checks: { venue: { status: "degraded", detail: "websocket reconnecting" } },
    };
    const { app } = buildApiServer(facade({ health: async () => degraded }));
    const res = await app.inject({ method: "GET", url: "/health" });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), degraded);
    await app.close();
  });

  test("GET /health is 503 with an error body when the check throws", async () => {
    const { app } = buildApiServer(
      facade({
        health: () => {
          throw new Error("db password=hunter2 refused");
        },
      }),
    );
    const res = await app.inject({ method: "GET", url: "/health" });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error.code, ApiErrorCode.Internal);
    assert.ok(!res.body.includes("hunter2"));
    assertNoStack(res.body);
    await app.close();
  });

  test("GET /api/metrics is the JSON snapshot", async () => {
    const { app } = buildApiServer(facade());
    const res = await app.inject({ method: "GET", url: "/api/metrics" });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers["content-type"] as string, /^application\/json/);
    assert.deepEqual(res.json().counters.des_x_total, [{ labels: {}, value: 1 }]);
    await app.close();
  });

  test("GET /metrics is Prometheus text with the 0.0.4 content type", async () => {
    const { app } = buildApiServer(facade());
    const res = await app.inject({ method: "GET", url: "/metrics" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], PROMETHEUS_CONTENT_TYPE);
    assert.equal(res.body, PROMETHEUS_TEXT);
    await app.close();
  });

  test("a failing route is a 500 with a generic {error:{code,message}} and no stack trace", async () => {
    const { app } = buildApiServer(
      facade({
        metricsPrometheus: () => {
          throw new Error("SQLITE_CORRUPT: secret internals");
        },
        metricsJson: () => {
          throw new DesError(ErrorCode.StoreFailed, "store failed: disk I/O error at /var/lib/des.db");
        },
      }),
    );
    const plain = await app.inject({ method: "GET", url: "/metrics" });
    assert.equal(plain.statusCode, 500);
    assert.deepEqual(Object.keys(plain.json()), ["error"]);
    assert.deepEqual(Object.keys(plain.json().error).sort(), ["code", "message"]);
    assert.equal(plain.json().error.code, ApiErrorCode.Internal);
    assert.ok(!plain.body.includes("SQLITE_CORRUPT"));
    assertNoStack(plain.body);

    const des = await app.inject({ method: "GET", url: "/api/metrics" });
    assert.equal(des.statusCode, 500);
    assert.equal(des.json().error.code, ErrorCode.StoreFailed);
    assert.ok(!des.body.includes("/var/lib"));
    await app.close();
  });

  test("a DesError with an input code is a 4xx that keeps its message", async () => {
    const { app } = buildApiServer(
      facade({
        metricsJson: () => {
          throw new DesError(ErrorCode.UnknownStrategy, "unknown strategy ma-x");
        },
      }),
    );
    const res = await app.inject({ method: "GET", url: "/api/metrics" });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), {
      error: { code: ErrorCode.UnknownStrategy, message: "unknown strategy ma-x" },
    });
    await app.close();
  });

  test("unknown routes and methods are 404 JSON", async () => {
    const { app } = buildApiServer(facade());
    for (const [method, url] of [
      ["GET", "/nope"],
      ["POST", "/health"],
      ["DELETE", "/metrics"],
    ] as const) {
      const res = await app.inject({ method, url });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.deepEqual(res.json(), {
        error: { code: ApiErrorCode.NotFound, message: `no route ${method} ${url}` },
      });
    }
    await app.close();
  });

  test("a malformed request body is a 400 JSON error", async () => {
    const { app } = buildApiServer(facade());
    app.post("/echo", async (request) => request.body);
    const res = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, ApiErrorCode.BadRequest);
    assertNoStack(res.body);
    await app.close();
  });

  test("a body over the limit is a 413 JSON error", async () => {
    const { app } = buildApiServer(facade(), { bodyLimitBytes: 10 });
    app.post("/echo", async (request) => request.body);
    const res = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ long: "x".repeat(100) }),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, ApiErrorCode.BadRequest);
    await app.close();
  });

  test("HEAD works on the monitoring routes", async () => {
    const { app } = buildApiServer(facade());
    for (const url of ["/health", "/metrics", "/api/metrics"]) {
      const res = await app.inject({ method: "HEAD", url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, "");
    }
    await app.close();
  });

  test("server errors are logged with their stack when a logger is given", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const { app } = buildApiServer(
      facade({
        metricsPrometheus: () => {
          throw new Error("boom inside");
        },
      }),
      { logger: pino({ level: "info" }, sink) },
    );
    const res = await app.inject({ method: "GET", url: "/metrics" });
    assert.equal(res.statusCode, 500);
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "request failed");
    assert.ok(logged !== undefined, "the failure is logged");
    assert.equal(logged.err.message, "boom inside");
    assert.match(logged.err.stack, /boom inside/);
    await app.close();
  });

  test("bad options are rejected with a clear error", () => {
    assert.throws(
      () => buildApiServer(facade(), { port: 70000 }),
      (e: unknown) => isDesError(e, ErrorCode.InvalidConfig) && /api port/.test(e.message),
    );
    assert.throws(
      () => buildApiServer(facade(), { host: "" }),
      (e: unknown) => isDesError(e, ErrorCode.InvalidConfig),
    );
  });

  test("listens on a real port and closes gracefully", async () => {
    const server = buildApiServer(facade(), { host: "127.0.0.1", port: 0 });
    assert.equal(server.address(), undefined);
    const url = await server.listen();
    const bound = server.address();
    assert.ok(bound !== undefined && bound.port > 0);
    assert.equal(url, `http://127.0.0.1:${bound.port}`);
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), OK);
    const metrics = await fetch(`${url}/metrics`);
    assert.equal(metrics.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
    assert.equal(await metrics.text(), PROMETHEUS_TEXT);
    await server.close();
    assert.equal(server.address(), undefined);
    await assert.rejects(fetch(`${url}/health`));
  });
});
