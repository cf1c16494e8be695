import { Decimal } from "../../core/index.ts";
import type { SimParams } from "./sim-exchange-api.ts";
import type { SimOrderType, SimRespType, SimSide, SimTimeInForce } from "./sim-order.ts";
import { isRejection, paramText, readSymbol } from "./sim-params.ts";
import {
  CLIENT_ORDER_ID_RANGE,
  DECIMAL_PARAM_RANGE,
  reject,
  rejectEitherParam,
  rejectIllegalChars,
  rejectMandatory,
  rejectNewOrder,
  rejectNotRequired,
  rejectPrecision,
  SimMsg,
  type SimRejection,
} from "./sim-rejection.ts";
import type { SimSymbol } from "./sim-symbol.ts";

/** A new-order request whose parameters passed Binance's syntax checks (filters come next). */
export interface ValidatedOrder {
  readonly symbol: SimSymbol;
  readonly side: SimSide;
  readonly type: SimOrderType;
  readonly timeInForce: SimTimeInForce;
  readonly quantity: Decimal | undefined;
  readonly quoteOrderQty: Decimal | undefined;
  readonly price: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  readonly icebergQty: Decimal | undefined;
  readonly newClientOrderId: string | undefined;
  readonly respType: SimRespType;
  readonly selfTradePreventionMode: string;
}

const DECIMAL_RE = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const CLIENT_ID_RE = /^[a-zA-Z0-9-_]{1,36}$/;
const SIDES: ReadonlySet<string> = new Set(["BUY", "SELL"]);
const TYPES: ReadonlySet<string> = new Set([
  "LIMIT",
  "MARKET",
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
  "LIMIT_MAKER",
]);
const TIFS: ReadonlySet<string> = new Set(["GTC", "IOC", "FOK"]);
const RESP_TYPES: ReadonlySet<string> = new Set(["ACK", "RESULT", "FULL"]);
const STP_MODES = ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER"];
const STP_SET: ReadonlySet<string> = new Set(STP_MODES);
const DECIMAL_PARAMS = ["quantity", "quoteOrderQty", "price", "stopPrice", "icebergQty"] as const;
/** Parameters of features the simulator does not model: refused rather than silently ignored. */
const UNSUPPORTED_PARAMS = ["trailingDelta", "pegPriceType", "pegOffsetValue", "pegOffsetType"] as const;

type DecimalParam = (typeof DECIMAL_PARAMS)[number];

/** What each type needs and refuses (reference section 4.7, "Additional mandatory parameters"). */
interface TypeRule {
  readonly mandatory: readonly DecimalParam[];
  readonly timeInForce: boolean;
  readonly notAllowed: readonly DecimalParam[];
}

const RULES: Readonly<Record<SimOrderType, TypeRule>> = {
  LIMIT: { mandatory: ["quantity", "price"], timeInForce: true, notAllowed: ["quoteOrderQty", "stopPrice"] },
  MARKET: { mandatory: [], timeInForce: false, notAllowed: ["price", "stopPrice", "icebergQty"] },
  STOP_LOSS: {
    mandatory: ["quantity", "stopPrice"],
    timeInForce: false,
    notAllowed: ["quoteOrderQty", "price", "icebergQty"],
  },
  TAKE_PROFIT: {
    mandatory: ["quantity", "stopPrice"],
    timeInForce: false,
    notAllowed: ["quoteOrderQty", "price", "icebergQty"],
  },
  STOP_LOSS_LIMIT: {
    mandatory: ["quantity", "price", "stopPrice"],
    timeInForce: true,
    notAllowed: ["quoteOrderQty"],
  },
  TAKE_PROFIT_LIMIT: {
    mandatory: ["quantity", "price", "stopPrice"],
    timeInForce: true,
    notAllowed: ["quoteOrderQty"],
  },
  LIMIT_MAKER: {
    mandatory: ["quantity", "price"],
    timeInForce: false,
    notAllowed: ["quoteOrderQty", "stopPrice"],
  },
};

/** Returns the number of significant fractional digits of a decimal text ("1.2300" -> 2). */
function fractionDigits(text: string): number {
  const dot = text.indexOf(".");
  if (dot < 0) return 0;
  let end = text.length;
  while (end > dot + 1 && text.charCodeAt(end - 1) === 48) end--;
  return end - dot - 1;
}

function checkBasics(params: SimParams): SimRejection | undefined {
  for (const name of ["symbol", "side", "type"]) {
    if (paramText(params, name) === undefined) return rejectMandatory(name);
  }
  return undefined;
}

/**
 * Validates `POST /api/v3/order` parameters like Binance, in this order: mandatory symbol/side/type
 * (-1102), symbol (-1121), side (-1117), type (-1116), timeInForce (-1115), enum and number syntax
 * (-1100), per-type mandatory (-1102) and refused (-1106) parameters, precision (-1111). Symbol filters
 * and the matching engine's checks (-1013, -2010) come after, in the exchange.
 */
export function validateOrderParams(
  params: SimParams,
  symbols: ReadonlyMap<string, SimSymbol>,
): ValidatedOrder | SimRejection {
  const basics = checkBasics(params);
  if (basics !== undefined) return basics;
  const symbol = readSymbol(params, symbols);
  if (isRejection(symbol)) return symbol;
  const side = params["side"] as string;
  if (!SIDES.has(side)) return reject(-1117, SimMsg.invalidSide);
  const type = params["type"] as string;
  if (!TYPES.has(type)) return reject(-1116, SimMsg.invalidOrderType);
  const rule = RULES[type as SimOrderType];
  const tif = paramText(params, "timeInForce");
  if (tif !== undefined && !TIFS.has(tif)) return reject(-1115, SimMsg.invalidTif);
  const respText = paramText(params, "newOrderRespType");
  if (respText !== undefined && !RESP_TYPES.has(respText)) {
    return rejectIllegalChars("newOrderRespType", "ACK, RESULT, FULL");
  }
  const stp = paramText(params, "selfTradePreventionMode") ?? "NONE";
  if (!STP_SET.has(stp)) return rejectIllegalChars("selfTradePreventionMode", STP_MODES.join(", "));

  const texts: Partial<Record<DecimalParam, string>> = {};
  for (const name of DECIMAL_PARAMS) {
    const text = paramText(params, name);
    if (text === undefined) continue;
    if (!DECIMAL_RE.test(text)) return rejectIllegalChars(name, DECIMAL_PARAM_RANGE);
    texts[name] = text;
  }
  const clientId = paramText(params, "newClientOrderId");
  if (clientId !== undefined && !CLIENT_ID_RE.test(clientId)) {
    return rejectIllegalChars("newClientOrderId", CLIENT_ORDER_ID_RANGE);
  }
  for (const name of UNSUPPORTED_PARAMS) {
    if (paramText(params, name) !== undefined) return rejectNewOrder(SimMsg.unsupportedCombination);
  }

  if (rule.timeInForce && tif === undefined) return rejectMandatory("timeInForce");
  for (const name of rule.mandatory) {
    if (texts[name] === undefined) return rejectMandatory(name);
  }
  if (type === "MARKET") {
    if (texts.quantity === undefined && texts.quoteOrderQty === undefined) {
      return rejectEitherParam("quantity", "quoteOrderQty");
    }
    if (texts.quantity !== undefined && texts.quoteOrderQty !== undefined)
      return rejectNotRequired("quantity");
  }
  if (!rule.timeInForce && tif !== undefined) return rejectNotRequired("timeInForce");
  for (const name of rule.notAllowed) {
    if (texts[name] !== undefined) return rejectNotRequired(name);
  }

  const precisions: Record<DecimalParam, number> = {
    quantity: symbol.basePrecision,
    icebergQty: symbol.basePrecision,
    quoteOrderQty: symbol.quotePrecision,
    price: symbol.quotePrecision,
    stopPrice: symbol.quotePrecision,
  };
  for (const name of DECIMAL_PARAMS) {
    const text = texts[name];
    if (text !== undefined && fractionDigits(text) > precisions[name]) return rejectPrecision(name);
  }
  const timeInForce = (tif ?? "GTC") as SimTimeInForce;
  if (texts.icebergQty !== undefined && timeInForce !== "GTC") {
    return rejectNewOrder(SimMsg.unsupportedCombination);
  }
  const dec = (name: DecimalParam): Decimal | undefined => {
    const text = texts[name];
    return text === undefined ? undefined : Decimal.from(text);
  };
  const defaultResp: SimRespType = type === "MARKET" || type === "LIMIT" ? "FULL" : "ACK";
  return {
    symbol,
    side: side as SimSide,
    type: type as SimOrderType,
    timeInForce,
    quantity: dec("quantity"),
    quoteOrderQty: dec("quoteOrderQty"),
    price: dec("price"),
    stopPrice: dec("stopPrice"),
    icebergQty: dec("icebergQty"),
    newClientOrderId: clientId,
    respType: (respText ?? defaultResp) as SimRespType,
    selfTradePreventionMode: stp,
  };
}
