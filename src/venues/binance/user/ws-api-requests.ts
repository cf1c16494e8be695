import { DesError, ErrorCode } from "../../../core/index.ts";
import { BinanceApiError } from "../binance-api-error.ts";
import type { WsApiResponseMsg } from "../wire/user-msgs.ts";

interface Pending {
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The WebSocket API requests of one connection awaiting their response, keyed by request id.
 * Each request has its own timeout; a closed connection rejects all of them at once.
 */
export class WsApiRequests {
  readonly #pending = new Map<number, Pending>();
  readonly #timeoutMs: number;
  #nextId = 0;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Sends `{id, method, params}` through `send` and resolves with the response's `result`; rejects with
   * a BinanceApiError (endpoint "WS <method>") on an error response, or a DES_ERR_VENUE_UNAVAILABLE
   * DesError on timeout. `onTimeout` runs after the rejection (the connection is presumed dead).
   */
  request(
    method: string,
    params: Readonly<Record<string, unknown>> | undefined,
    send: (text: string) => void,
    onTimeout: () => void,
  ): Promise<unknown> {
    const id = ++this.#nextId;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.#pending.delete(id)) return;
        reject(
          new DesError(
            ErrorCode.VenueUnavailable,
            `WS API ${method} got no response within ${this.#timeoutMs} ms`,
            {
              method,
            },
          ),
        );
        onTimeout();
      }, this.#timeoutMs);
      timer.unref();
      this.#pending.set(id, { method, resolve, reject, timer });
      try {
        send(JSON.stringify(params === undefined ? { id, method } : { id, method, params }));
      } catch (err) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(
          new DesError(
            ErrorCode.VenueUnavailable,
            `WS API ${method} could not be sent`,
            { method },
            { cause: err },
          ),
        );
      }
    });
  }

  /** Settles the request the response answers; returns false when no request has its id. */
  settle(response: WsApiResponseMsg): boolean {
    if (typeof response.id !== "number") return false;
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return false;
    this.#pending.delete(response.id);
    clearTimeout(pending.timer);
    if (response.error === undefined) {
      pending.resolve(response.result);
    } else {
      pending.reject(
        new BinanceApiError({
          endpoint: `WS ${pending.method}`,
          httpStatus: response.status,
          binanceCode: response.error.code,
          binanceMsg: response.error.msg,
        }),
      );
    }
    return true;
  }

  /** Rejects every pending request (the connection closed). */
  rejectAll(reason: string): void {
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(
        new DesError(ErrorCode.VenueUnavailable, `WS API ${pending.method}: ${reason}`, {
          method: pending.method,
        }),
      );
    }
  }
}
