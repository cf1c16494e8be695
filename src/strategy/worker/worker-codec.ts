import { Decimal } from "../../core/index.ts";
import type { Bar, Instrument, OrderFilled, QuoteTick, TradeTick } from "../../model/index.ts";
import type { OpenOrderView, OrderRequest, SignalRequest } from "../strategy.ts";

/**
 * The messages between the engine and a strategy worker. Decimals cross the thread boundary as
 * their exact strings (structured clone would drop the Decimal class); each side rebuilds them.
 */

/** A value of T whose Decimal fields are sent as strings. */
export type Encoded<T> = {
  [K in keyof T]: T[K] extends Decimal
    ? string
    : T[K] extends Decimal | undefined
      ? string | undefined
      : T[K];
};

/** The events a worker strategy can be handed. */
export type WorkerEvent = Bar | TradeTick | QuoteTick | OrderFilled;
export type EncodedWorkerEvent =
  | Encoded<Bar>
  | Encoded<TradeTick>
  | Encoded<QuoteTick>
  | Encoded<OrderFilled>;

/** The hooks the engine calls in a worker. */
export type WorkerHook = "onStart" | "onStop" | "onBar" | "onTrade" | "onQuote" | "onOrderFilled";

/** What the engine sends to a worker. */
export type ToWorkerMsg =
  | {
      readonly t: "hook";
      readonly seq: number;
      readonly hook: WorkerHook;
      readonly event: EncodedWorkerEvent | undefined;
      /** The engine clock's time when the hook was called (the worker's clock reads it). */
      readonly now: number;
      readonly warming: boolean;
      /** The strategy's position on its configured instrument, as a decimal string. */
      readonly position: string;
      readonly openOrders: readonly Encoded<OpenOrderView>[];
      /** Asks the worker to include a state snapshot in its reply. */
      readonly wantState: boolean;
    }
  | { readonly t: "setState"; readonly state: unknown }
  | { readonly t: "params"; readonly raw: unknown }
  | { readonly t: "position"; readonly instrumentId: string; readonly quantity: string };

/** What a worker sends back. */
export type FromWorkerMsg =
  | {
      readonly t: "ready";
      readonly hooks: readonly WorkerHook[];
      readonly hasGetState: boolean;
      readonly hasUpdateParams: boolean;
    }
  | { readonly t: "bootError"; readonly message: string; readonly stack: string | undefined }
  | { readonly t: "signal"; readonly seq: number; readonly request: Encoded<SignalRequest> }
  | {
      readonly t: "submit";
      readonly seq: number;
      readonly clientOrderId: string;
      readonly request: Encoded<OrderRequest>;
    }
  | { readonly t: "cancel"; readonly seq: number; readonly clientOrderId: string }
  | { readonly t: "dirty"; readonly seq: number }
  | { readonly t: "done"; readonly seq: number; readonly state: { readonly value: unknown } | undefined }
  | {
      readonly t: "error";
      readonly seq: number;
      readonly message: string;
      readonly stack: string | undefined;
    }
  | { readonly t: "fault"; readonly message: string; readonly stack: string | undefined };

/** What a worker is started with. */
export interface WorkerBoot {
  readonly url: string;
  readonly exportName: string;
  readonly strategyId: string;
  readonly instrumentId: string;
  readonly rawParams: unknown;
  readonly instrument: Encoded<Instrument> | undefined;
  /** A client order id from the engine's generator; the worker appends "-<n>" to make its own. */
  readonly orderIdBase: string;
}

const DECIMAL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  bar: ["open", "high", "low", "close", "volume", "quoteVolume"],
  trade: ["price", "quantity"],
  quote: ["bid", "bidSize", "ask", "askSize"],
  OrderFilled: ["lastQty", "lastPrice", "commission"],
};
const INSTRUMENT_FIELDS = [
  "tickSize",
  "minPrice",
  "maxPrice",
  "stepSize",
  "minQty",
  "maxQty",
  "minNotional",
  "maxNotional",
];
const OPEN_ORDER_FIELDS = ["quantity", "price"];
const SIGNAL_FIELDS = ["quantity"];
const ORDER_FIELDS = ["quantity", "price", "stopPrice"];

function encodeFields<T extends object>(value: T, fields: readonly string[]): Encoded<T> {
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const f of fields) {
    const v = out[f];
    if (v instanceof Decimal) out[f] = v.toString();
  }
  return out as Encoded<T>;
}

function decodeFields<T>(value: object, fields: readonly string[]): T {
  const out: Record<string, unknown> = { ...value };
  for (const f of fields) {
    const v = out[f];
    if (typeof v === "string") out[f] = Decimal.from(v);
  }
  return out as T;
}

/** Returns the event with its decimals as strings. */
export function encodeWorkerEvent(event: WorkerEvent): EncodedWorkerEvent {
  return encodeFields(event, DECIMAL_FIELDS[event.kind] ?? []) as EncodedWorkerEvent;
}

/** Rebuilds an event sent by encodeWorkerEvent. */
export function decodeWorkerEvent(event: EncodedWorkerEvent): WorkerEvent {
  return decodeFields<WorkerEvent>(event, DECIMAL_FIELDS[event.kind] ?? []);
}

/** Returns the instrument with its decimals as strings. */
export function encodeInstrument(instrument: Instrument): Encoded<Instrument> {
  return encodeFields(instrument, INSTRUMENT_FIELDS);
}

/** Rebuilds an instrument sent by encodeInstrument. */
export function decodeInstrument(instrument: Encoded<Instrument>): Instrument {
  return decodeFields<Instrument>(instrument, INSTRUMENT_FIELDS);
}

/** Returns the open order with its decimals as strings. */
export function encodeOpenOrder(order: OpenOrderView): Encoded<OpenOrderView> {
  return encodeFields(order, OPEN_ORDER_FIELDS);
}

/** Rebuilds an open order sent by encodeOpenOrder. */
export function decodeOpenOrder(order: Encoded<OpenOrderView>): OpenOrderView {
  return decodeFields<OpenOrderView>(order, OPEN_ORDER_FIELDS);
}

/** Returns the signal request with its decimals as strings. */
export function encodeSignalRequest(request: SignalRequest): Encoded<SignalRequest> {
  return encodeFields(request, SIGNAL_FIELDS);
}

/** Rebuilds a signal request sent by encodeSignalRequest. */
export function decodeSignalRequest(request: Encoded<SignalRequest>): SignalRequest {
  return decodeFields<SignalRequest>(request, SIGNAL_FIELDS);
}

/** Returns the order request with its decimals as strings. */
export function encodeOrderRequest(request: OrderRequest): Encoded<OrderRequest> {
  return encodeFields(request, ORDER_FIELDS);
}

/** Rebuilds an order request sent by encodeOrderRequest. */
export function decodeOrderRequest(request: Encoded<OrderRequest>): OrderRequest {
  return decodeFields<OrderRequest>(request, ORDER_FIELDS);
}
