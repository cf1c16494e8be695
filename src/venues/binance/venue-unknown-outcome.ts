import { isDesError } from "../../core/index.ts";
import { BinanceApiError } from "./binance-api-error.ts";
import type { BinanceRestApi } from "./rest/binance-rest-api.ts";
import type { QueryOrderMsg } from "./wire/rest-msgs.ts";

/** How long and how often an order of unknown outcome is looked up. */
export interface UnknownOutcomeOptions {
  /** First pause between look-ups; default 250 ms, doubling. */
  readonly initialDelayMs?: number;
  /** Cap of the pause; default 2000 ms. */
  readonly maxDelayMs?: number;
  /** Give up (outcome still unknown) this long after the send; default 2 x (recvWindowMs + 1000). */
  readonly maxWaitMs?: number;
}

/** What looking an order up found. */
export type LookupResult =
  /** The venue has the order. */
  | { readonly kind: "found"; readonly order: QueryOrderMsg }
  /** The venue has no such order and the request can no longer be accepted (past recvWindow + 1 s). */
  | { readonly kind: "absent" }
  /** Still unknown when the bound ran out (or the venue stopped). */
  | { readonly kind: "unknown"; readonly lastError: string };

/** What a look-up needs: the REST API, time, a pause that stop() can cut short, and what the stream saw. */
export interface LookupContext {
  readonly rest: Pick<BinanceRestApi, "queryOrder">;
  readonly nowMs: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly stopped: () => boolean;
  /** True once the user stream reported the order: it exists, so "absent" is never the answer. */
  readonly streamSawOrder: () => boolean;
  readonly recvWindowMs: number;
}

/** Binance's NO_SUCH_ORDER: "Order does not exist." */
const NO_SUCH_ORDER = -2013;
/** Margin past recvWindow for the difference between our clock and Binance's. */
const CLOCK_MARGIN_MS = 1000;

/**
 * Looks an order whose placement had an unknown outcome up by its client order id, with bounded
 * back-off. -2013 means "not placed" only once `sentAtMs + recvWindow + 1 s` has passed: before
 * that the request may still reach the matching engine. Never throws.
 */
export async function lookUpUnknownOrder(
  ctx: LookupContext,
  ref: { symbol: string; origClientOrderId: string },
  sentAtMs: number,
  options: UnknownOutcomeOptions = {},
): Promise<LookupResult> {
  const initialDelayMs = options.initialDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 2000;
  const maxWaitMs = options.maxWaitMs ?? 2 * (ctx.recvWindowMs + CLOCK_MARGIN_MS);
  const notPlacedAfterMs = sentAtMs + ctx.recvWindowMs + CLOCK_MARGIN_MS;
  const deadlineMs = sentAtMs + Math.max(maxWaitMs, ctx.recvWindowMs + CLOCK_MARGIN_MS);
  let delayMs = initialDelayMs;
  let lastError = "not looked up";
  for (;;) {
    if (ctx.stopped()) return { kind: "unknown", lastError: "venue stopped" };
    const askedAtMs = ctx.nowMs();
    try {
      return { kind: "found", order: await ctx.rest.queryOrder(ref) };
    } catch (err) {
      if (err instanceof BinanceApiError && err.binanceCode === NO_SUCH_ORDER) {
        // The answer reflects the venue when the query was sent: only then must the window be over.
        if (askedAtMs >= notPlacedAfterMs && !ctx.streamSawOrder()) return { kind: "absent" };
        lastError = "order not found yet";
      } else {
        lastError = isDesError(err) ? `${err.code}: ${err.message}` : String(err);
      }
    }
    const now = ctx.nowMs();
    if (now >= deadlineMs) return { kind: "unknown", lastError };
    await ctx.sleep(Math.min(delayMs, deadlineMs - now));
    delayMs = Math.min(delayMs * 2, maxDelayMs);
  }
}
