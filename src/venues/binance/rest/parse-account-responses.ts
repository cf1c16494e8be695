import type { AccountMsg, MyTradeMsg } from "../wire/rest-msgs.ts";
import { asArray, asObject, checkBoolean, checkDecimal, checkInteger, checkString } from "./wire-checks.ts";

/** Parses `GET /api/v3/account` (the fields DES reads, and every balance). */
export function parseAccountResponse(body: unknown, endpoint: string): AccountMsg {
  const o = asObject(body, endpoint, "body");
  checkInteger(o, "makerCommission", endpoint, "body");
  checkInteger(o, "takerCommission", endpoint, "body");
  checkBoolean(o, "canTrade", endpoint, "body");
  checkInteger(o, "updateTime", endpoint, "body");
  checkString(o, "accountType", endpoint, "body");
  const balances = asArray(o.balances, endpoint, "body.balances");
  for (let i = 0; i < balances.length; i++) {
    const path = `body.balances[${i}]`;
    const b = asObject(balances[i], endpoint, path);
    checkString(b, "asset", endpoint, path);
    checkDecimal(b, "free", endpoint, path);
    checkDecimal(b, "locked", endpoint, path);
  }
  if (o.commissionRates !== undefined) {
    const rates = asObject(o.commissionRates, endpoint, "body.commissionRates");
    for (const key of ["maker", "taker", "buyer", "seller"])
      checkDecimal(rates, key, endpoint, "body.commissionRates");
  }
  return o as unknown as AccountMsg;
}

/** Parses `GET /api/v3/myTrades`. */
export function parseMyTradesResponse(body: unknown, endpoint: string): MyTradeMsg[] {
  const rows = asArray(body, endpoint, "body");
  for (let i = 0; i < rows.length; i++) {
    const path = `body[${i}]`;
    const t = asObject(rows[i], endpoint, path);
    checkString(t, "symbol", endpoint, path);
    for (const key of ["id", "orderId", "orderListId", "time"]) checkInteger(t, key, endpoint, path);
    for (const key of ["price", "qty", "quoteQty", "commission"]) checkDecimal(t, key, endpoint, path);
    checkString(t, "commissionAsset", endpoint, path);
    for (const key of ["isBuyer", "isMaker", "isBestMatch"]) checkBoolean(t, key, endpoint, path);
  }
  return rows as MyTradeMsg[];
}
