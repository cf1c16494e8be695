import type { ClientOrderId, InstrumentId } from "../../core/index.ts";

/**
 * Brands a client order id as Binance sent it. Not validated: the venue may carry ids DES did not
 * create (web or app orders), and those must still reach execution, which reports them as unknown.
 */
export function wireClientOrderId(value: string): ClientOrderId {
  return value as ClientOrderId;
}

/** Brands a symbol as Binance sent it (the instrument id is the venue symbol). */
export function wireInstrumentId(value: string): InstrumentId {
  return value as InstrumentId;
}
