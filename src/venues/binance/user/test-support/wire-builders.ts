import type { MyTradeMsg } from "../../wire/rest-msgs.ts";
import type { ExecutionReportMsg } from "../../wire/user-msgs.ts";

/** The epoch ms the venue tests' wire payloads are stamped around. */
export const WIRE_T0 = 1_700_000_000_000;

/** An executionReport of BTCUSDT order 28 ("des-1", LIMIT BUY 1 @ 100), NEW unless overridden. */
export function executionReportMsg(over: Partial<ExecutionReportMsg> = {}): ExecutionReportMsg {
  return {
    e: "executionReport",
    E: WIRE_T0 + 10,
    s: "BTCUSDT",
    c: "des-1",
    S: "BUY",
    o: "LIMIT",
    f: "GTC",
    q: "1.00000000",
    p: "100.00000000",
    P: "0.00000000",
    g: -1,
    C: "",
    x: "NEW",
    X: "NEW",
    r: "NONE",
    i: 28,
    l: "0.00000000",
    z: "0.00000000",
    L: "0.00000000",
    n: "0",
    N: null,
    T: WIRE_T0 + 9,
    t: -1,
    m: false,
    ...over,
  };
}

/** A myTrades row of BTCUSDT order 28 at 100 (maker buy, commission in BTC), as overridden. */
export function myTradeMsg(id: number, qty: string, over: Partial<MyTradeMsg> = {}): MyTradeMsg {
  return {
    symbol: "BTCUSDT",
    id,
    orderId: 28,
    orderListId: -1,
    price: "100.00000000",
    qty,
    quoteQty: "0",
    commission: "0.00050000",
    commissionAsset: "BTC",
    time: WIRE_T0 + 100 + id,
    isBuyer: true,
    isMaker: true,
    isBestMatch: true,
    ...over,
  };
}
