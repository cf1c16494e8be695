import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { DesError, ErrorCode } from "../../../core/index.ts";

/** Largest response body accepted (a full exchangeInfo is a few MB); a bigger one aborts the request. */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** One HTTP exchange's answer: status, lower-case headers and the body as UTF-8 text. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What sendHttpRequest sends. `path` includes the query string, which may carry a signature: never log it. */
export interface HttpRequest {
  method: "GET" | "POST" | "DELETE";
  path: string;
  headers?: Record<string, string>;
  /** For error messages and details, e.g. "POST /api/v3/order". */
  endpoint: string;
  timeoutMs: number;
}

/**
 * Sends one request through an undici dispatcher and collects the answer. Errors are classified by
 * whether the request had been handed to a socket: before that (connection refused, DNS, all connections
 * busy until the timeout) it is DES_ERR_VENUE_UNAVAILABLE, the request was never sent; after that
 * (timeout, connection closed or reset) it is DES_ERR_VENUE_UNKNOWN_OUTCOME, the venue may have acted.
 */
export function sendHttpRequest(dispatcher: Dispatcher, request: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const handler = new CollectingHandler(request, resolve, reject);
    try {
      dispatcher.dispatch(
        {
          method: request.method,
          path: request.path,
          headers: request.headers,
          // Our own timer (below) decides; undici's timeouts are only a backstop.
          headersTimeout: request.timeoutMs + 1000,
          bodyTimeout: request.timeoutMs + 1000,
        },
        handler,
      );
    } catch (err) {
      handler.fail(err);
    }
  });
}

class CollectingHandler implements Dispatcher.DispatchHandler {
  readonly #request: HttpRequest;
  readonly #resolve: (res: HttpResponse) => void;
  readonly #reject: (err: Error) => void;
  readonly #timer: NodeJS.Timeout;
  #controller: Dispatcher.DispatchController | undefined;
  #dispatched = false;
  #settled = false;
  #status = 0;
  #headers: IncomingHttpHeaders = {};
  #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(request: HttpRequest, resolve: (res: HttpResponse) => void, reject: (err: Error) => void) {
    this.#request = request;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#timer = setTimeout(() => this.#onTimeout(), request.timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#settled) {
      // Timed out while queued: abort before a single byte is written, so "not sent" stays true.
      controller.abort(new Error("request abandoned before it was sent"));
      return;
    }
    this.#controller = controller;
    this.#dispatched = true;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (this.#bytes > MAX_RESPONSE_BYTES) {
      this.#settle(
        new DesError(
          ErrorCode.VenueProtocolError,
          `Binance ${this.#request.endpoint}: response body larger than ${MAX_RESPONSE_BYTES} bytes`,
          { endpoint: this.#request.endpoint },
        ),
      );
      controller.abort(new Error("response too large"));
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    const body =
      this.#chunks.length === 1
        ? (this.#chunks[0] as Buffer).toString("utf8")
        : Buffer.concat(this.#chunks).toString("utf8");
    this.#settle(undefined, { status: this.#status, headers: this.#headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  /** Settles with the transport error, classified by whether the request had reached a socket. */
  fail(error: unknown): void {
    if (this.#settled) return;
    const { endpoint } = this.#request;
    const reason = errorReason(error);
    if (!this.#dispatched) {
      this.#settle(
        new DesError(
          ErrorCode.VenueUnavailable,
          `Binance ${endpoint}: not sent, venue unreachable (${reason})`,
          {
            endpoint,
            reason,
          },
        ),
      );
    } else {
      this.#settle(
        new DesError(
          ErrorCode.VenueUnknownOutcome,
          `Binance ${endpoint}: connection failed after sending (${reason}); the outcome is unknown`,
          { endpoint, reason },
        ),
      );
    }
  }

  #onTimeout(): void {
    if (this.#settled) return;
    const { endpoint, timeoutMs } = this.#request;
    if (!this.#dispatched) {
      this.#settle(
        new DesError(
          ErrorCode.VenueUnavailable,
          `Binance ${endpoint}: not sent within ${timeoutMs} ms (connecting or all connections busy)`,
          { endpoint, reason: "timeout", timeoutMs },
        ),
      );
      return;
    }
    this.#settle(
      new DesError(
        ErrorCode.VenueUnknownOutcome,
        `Binance ${endpoint}: no complete answer within ${timeoutMs} ms; the outcome is unknown`,
        { endpoint, reason: "timeout", timeoutMs },
      ),
    );
    this.#controller?.abort(new Error("timeout"));
  }

  #settle(error: Error | undefined, response?: HttpResponse): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#chunks = [];
    if (error !== undefined) this.#reject(error);
    else this.#resolve(response as HttpResponse);
  }
}

/** Returns a short, secret-free reason: the error code when there is one (ECONNREFUSED, UND_ERR_SOCKET). */
function errorReason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (typeof cause?.code === "string") return cause.code;
    return error.name;
  }
  return "unknown error";
}
