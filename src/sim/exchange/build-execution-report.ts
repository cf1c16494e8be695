import { Decimal } from "../../core/index.ts";
import { formatDecimal } from "./format-decimal.ts";
import { isMarketType, isOpenStatus, type SimOrder } from "./sim-order.ts";

/** The fill an execution report of type TRADE carries. */
export interface ReportFill {
  readonly tradeId: number;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly quoteQty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly maker: boolean;
}

/** What happened to the order in this report. */
export interface ExecutionDetails {
  readonly executionType: "NEW" | "CANCELED" | "TRADE" | "EXPIRED";
  readonly eventTime: number;
  readonly transactTime: number;
  readonly executionId: number;
  /** On a cancel: the cancel request's client id (`c`); the order's own id goes to `C`. */
  readonly cancelClientOrderId?: string;
  readonly fill?: ReportFill;
}

/**
 * Builds an `executionReport` payload with every field of reference section 6.2 in Binance's order
 * and types: decimals as strings at the symbol's precisions, `N` null and `t` -1 when there is no
 * trade, `W` only once the order works, `eR` only on expiry.
 */
export function buildExecutionReport(order: SimOrder, d: ExecutionDetails): Record<string, unknown> {
  const sym = order.symbol;
  const bp = sym.basePrecision;
  const qp = sym.quotePrecision;
  const fill = d.fill;
  const zeroBase = formatDecimal(Decimal.ZERO, bp);
  const zeroQuote = formatDecimal(Decimal.ZERO, qp);
  const open = isOpenStatus(order.status);
  const report: Record<string, unknown> = {
    e: "executionReport",
    E: d.eventTime,
    s: sym.symbol,
    c: d.cancelClientOrderId ?? order.clientOrderId,
    S: order.side,
    o: order.type,
    f: order.timeInForce,
    q: formatDecimal(order.origQty, bp),
    p: formatDecimal(order.price, qp),
    P: formatDecimal(order.stopPrice, qp),
    F: formatDecimal(order.icebergQty, bp),
    g: -1,
    C: d.cancelClientOrderId === undefined ? "" : order.clientOrderId,
    x: d.executionType,
    X: order.status,
    r: "NONE",
    i: order.orderId,
    l: fill === undefined ? zeroBase : formatDecimal(fill.qty, bp),
    z: formatDecimal(order.executedQty, bp),
    L: fill === undefined ? zeroQuote : formatDecimal(fill.price, qp),
    n:
      fill === undefined
        ? "0"
        : formatDecimal(fill.commission, fill.commissionAsset === sym.baseAsset ? bp : qp),
    N: fill === undefined ? null : fill.commissionAsset,
    T: d.transactTime,
    t: fill === undefined ? -1 : fill.tradeId,
    I: d.executionId,
    // "Is the order on the book?": working, still open, and of a kind that can rest.
    w: open && order.workingTime !== -1 && !isMarketType(order.type),
    m: fill?.maker ?? false,
    M: false,
    O: order.time,
    Z: formatDecimal(order.cumQuote, qp),
    Y: fill === undefined ? zeroQuote : formatDecimal(fill.quoteQty, qp),
    Q: formatDecimal(order.origQuoteOrderQty, qp),
  };
  if (order.workingTime !== -1) report["W"] = order.workingTime;
  report["V"] = order.selfTradePreventionMode;
  if (order.expiryReason !== undefined && d.executionType === "EXPIRED") report["eR"] = order.expiryReason;
  return report;
}
