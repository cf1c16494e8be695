import type { SimExchangeApi, SimParams, SimResult } from "../exchange/sim-exchange-api.ts";
import { exchangeInfoResponse } from "./exchange-info-response.ts";
import type { SimKlineSource } from "./sim-market-ports.ts";

/** One REST route: its security, request weight (reference section 4.2) and what it does. */
export interface RestEndpoint {
  /** NONE: public; SIGNED: TRADE / USER_DATA (API key, signature, timestamp). */
  readonly security: "NONE" | "SIGNED";
  /** POST /api/v3/order: counts against ORDERS and may be withheld by timeoutAfterAccept. */
  readonly isNewOrder: boolean;
  weight(params: SimParams): number;
  /** Runs the request; `accountId` is "" for public endpoints. */
  run(params: SimParams, accountId: string): SimResult<unknown>;
}

/** What the routes call. */
export interface RestEndpointDeps {
  readonly exchange: SimExchangeApi;
  readonly marketData: SimKlineSource;
  readonly now: () => number;
  rateLimitsInfo(): readonly Record<string, unknown>[];
}

/** Returns the REST routes of reference section 4, keyed "METHOD /path". */
export function restEndpoints(deps: RestEndpointDeps): Map<string, RestEndpoint> {
  const { exchange, marketData, now } = deps;
  const pub = (weight: number | ((p: SimParams) => number), run: (p: SimParams) => SimResult<unknown>) =>
    endpoint("NONE", false, weight, (p) => run(p));
  const signed = (
    weight: number | ((p: SimParams) => number),
    run: (p: SimParams, accountId: string) => SimResult<unknown>,
  ) => endpoint("SIGNED", false, weight, run);
  return new Map<string, RestEndpoint>([
    ["GET /api/v3/ping", pub(1, () => ({ ok: true, body: {} }))],
    ["GET /api/v3/time", pub(1, () => ({ ok: true, body: { serverTime: now() } }))],
    [
      "GET /api/v3/exchangeInfo",
      pub(20, (p) => exchangeInfoResponse(exchange.symbolInfos(), p, deps.rateLimitsInfo(), now())),
    ],
    ["GET /api/v3/depth", pub(depthWeight, (p) => exchange.depth(p))],
    ["GET /api/v3/klines", pub(2, (p) => marketData.klines(p))],
    ["POST /api/v3/order", endpoint("SIGNED", true, 1, (p, a) => exchange.newOrder(a, p))],
    [
      "POST /api/v3/order/test",
      signed(
        (p) => (p["computeCommissionRates"] === "true" ? 20 : 1),
        (p, a) => exchange.testOrder(a, p),
      ),
    ],
    ["DELETE /api/v3/order", signed(1, (p, a) => exchange.cancelOrder(a, p))],
    ["GET /api/v3/order", signed(4, (p, a) => exchange.queryOrder(a, p))],
    [
      "GET /api/v3/openOrders",
      signed(
        (p) => (p["symbol"] === undefined ? 80 : 6),
        (p, a) => exchange.openOrders(a, p),
      ),
    ],
    ["DELETE /api/v3/openOrders", signed(1, (p, a) => exchange.cancelOpenOrders(a, p))],
    ["GET /api/v3/account", signed(20, (p, a) => exchange.account(a, p))],
    [
      "GET /api/v3/myTrades",
      signed(
        (p) => (p["orderId"] === undefined ? 20 : 5),
        (p, a) => exchange.myTrades(a, p),
      ),
    ],
  ]);
}

/** GET /api/v3/depth weight by limit: 1-100 -> 5, 101-500 -> 25, 501-1000 -> 50, above -> 250. */
export function depthWeight(params: SimParams): number {
  const text = params["limit"];
  const limit = text === undefined ? 100 : Number(text);
  if (!Number.isFinite(limit) || limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

function endpoint(
  security: "NONE" | "SIGNED",
  isNewOrder: boolean,
  weight: number | ((p: SimParams) => number),
  run: (p: SimParams, accountId: string) => SimResult<unknown>,
): RestEndpoint {
  return { security, isNewOrder, weight: typeof weight === "number" ? () => weight : weight, run };
}
