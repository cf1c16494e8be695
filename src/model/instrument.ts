import { Decimal, DesError, ErrorCode, type InstrumentId, instrumentId, Rounding } from "../core/index.ts";

/** A tradable instrument with Binance's symbol filters. */
export interface Instrument {
  readonly id: InstrumentId;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** PRICE_FILTER tickSize: prices must be multiples of it (zero: no constraint). */
  readonly tickSize: Decimal;
  readonly minPrice: Decimal;
  readonly maxPrice: Decimal;
  /** LOT_SIZE stepSize: quantities must be multiples of it. */
  readonly stepSize: Decimal;
  readonly minQty: Decimal;
  readonly maxQty: Decimal;
  /** MIN_NOTIONAL / NOTIONAL minNotional (price x quantity). */
  readonly minNotional: Decimal;
  readonly maxNotional: Decimal | undefined;
  readonly status: string;
}

/** Rounds a price to the instrument's tick size with the given mode. */
export function roundPrice(
  instrument: Instrument,
  price: Decimal,
  rounding: Rounding = Rounding.HalfEven,
): Decimal {
  return instrument.tickSize.isZero() ? price : price.roundToIncrement(instrument.tickSize, rounding);
}

/** Rounds a quantity down to the step size, so an order never spends more than intended. */
export function roundQuantity(
  instrument: Instrument,
  qty: Decimal,
  rounding: Rounding = Rounding.Down,
): Decimal {
  return instrument.stepSize.isZero() ? qty : qty.roundToIncrement(instrument.stepSize, rounding);
}

/** Returns why a price/quantity pair breaks the instrument's filters, or undefined when it conforms. */
export function checkFilters(
  instrument: Instrument,
  qty: Decimal,
  price: Decimal | undefined,
): string | undefined {
  if (qty.lte(Decimal.ZERO)) return `quantity ${qty} must be positive`;
  if (qty.lt(instrument.minQty)) return `quantity ${qty} below minQty ${instrument.minQty}`;
  if (!instrument.maxQty.isZero() && qty.gt(instrument.maxQty))
    return `quantity ${qty} above maxQty ${instrument.maxQty}`;
  // Binance's current rule (since 2023-03): quantity % stepSize == 0 (it was (quantity - minQty) % stepSize).
  if (!instrument.stepSize.isZero() && !qty.isMultipleOf(instrument.stepSize)) {
    return `quantity ${qty} is not a multiple of stepSize ${instrument.stepSize}`;
  }
  if (price !== undefined) {
    if (price.lte(Decimal.ZERO)) return `price ${price} must be positive`;
    if (!instrument.minPrice.isZero() && price.lt(instrument.minPrice))
      return `price ${price} below minPrice ${instrument.minPrice}`;
    if (!instrument.maxPrice.isZero() && price.gt(instrument.maxPrice))
      return `price ${price} above maxPrice ${instrument.maxPrice}`;
    // Binance's current rule (since 2022-02-24): price % tickSize == 0 (it was (price - minPrice) % tickSize).
    if (!instrument.tickSize.isZero() && !price.isMultipleOf(instrument.tickSize)) {
      return `price ${price} is not a multiple of tickSize ${instrument.tickSize}`;
    }
    const notional = price.mul(qty);
    if (notional.lt(instrument.minNotional))
      return `notional ${notional} below minNotional ${instrument.minNotional}`;
    if (instrument.maxNotional !== undefined && notional.gt(instrument.maxNotional)) {
      return `notional ${notional} above maxNotional ${instrument.maxNotional}`;
    }
  }
  return undefined;
}

/** The `exchangeInfo` symbol shape as Binance sends it (only the fields DES reads). */
export interface ExchangeInfoSymbolMsg {
  symbol: string;
  status: string;
  baseAsset: string;
  quoteAsset: string;
  filters: Array<{ filterType: string; [key: string]: unknown }>;
}

/** The `GET /api/v3/exchangeInfo` response shape (only the fields DES reads). */
export interface ExchangeInfoMsg {
  symbols: ExchangeInfoSymbolMsg[];
}

function filterValue(sym: ExchangeInfoSymbolMsg, filterType: string, key: string): Decimal | undefined {
  const f = sym.filters.find((x) => x.filterType === filterType);
  const v = f?.[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string") {
    throw new DesError(
      ErrorCode.InvalidInstrument,
      `${sym.symbol}: ${filterType}.${key} must be a decimal string`,
      {
        symbol: sym.symbol,
        filterType,
        key,
      },
    );
  }
  return Decimal.from(v);
}

/** Parses one exchangeInfo symbol into an Instrument with its filters. */
export function parseInstrument(sym: ExchangeInfoSymbolMsg): Instrument {
  if (typeof sym?.symbol !== "string" || !Array.isArray(sym.filters)) {
    throw new DesError(
      ErrorCode.InvalidInstrument,
      "exchangeInfo symbol needs a symbol and a filters array",
      {
        symbol: sym?.symbol,
      },
    );
  }
  const minNotional =
    filterValue(sym, "NOTIONAL", "minNotional") ??
    filterValue(sym, "MIN_NOTIONAL", "minNotional") ??
    Decimal.ZERO;
  return {
    id: instrumentId(sym.symbol),
    baseAsset: sym.baseAsset,
    quoteAsset: sym.quoteAsset,
    status: sym.status,
    tickSize: filterValue(sym, "PRICE_FILTER", "tickSize") ?? Decimal.ZERO,
    minPrice: filterValue(sym, "PRICE_FILTER", "minPrice") ?? Decimal.ZERO,
    maxPrice: filterValue(sym, "PRICE_FILTER", "maxPrice") ?? Decimal.ZERO,
    stepSize: filterValue(sym, "LOT_SIZE", "stepSize") ?? Decimal.ZERO,
    minQty: filterValue(sym, "LOT_SIZE", "minQty") ?? Decimal.ZERO,
    maxQty: filterValue(sym, "LOT_SIZE", "maxQty") ?? Decimal.ZERO,
    minNotional,
    maxNotional: filterValue(sym, "NOTIONAL", "maxNotional"),
  };
}

/** Parses an exchangeInfo response into instruments keyed by symbol. */
export function parseExchangeInfo(info: ExchangeInfoMsg): Map<InstrumentId, Instrument> {
  if (!Array.isArray(info?.symbols)) {
    throw new DesError(ErrorCode.InvalidInstrument, "exchangeInfo needs a symbols array");
  }
  const out = new Map<InstrumentId, Instrument>();
  for (const s of info.symbols) {
    const inst = parseInstrument(s);
    out.set(inst.id, inst);
  }
  return out;
}
