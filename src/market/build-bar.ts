import type { Decimal, InstrumentId, UnixMicros } from "../core/index.ts";
import { type Bar, type BarInterval, intervalMicros } from "../model/index.ts";
import type { FieldReader } from "./field-reader.ts";

/** The fields of a bar as a file gives them; buildBar checks them and fills in the rest. */
export interface BarFields {
  readonly instrumentId: InstrumentId;
  readonly interval: BarInterval;
  readonly openTime: UnixMicros;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly tradeCount: number;
  /** False only for a bar still in progress (the last row of a live klines response). */
  readonly closed: boolean;
}

/**
 * Returns a Bar after checking that it is aligned to its interval's UTC boundary and that its prices
 * are consistent (low <= open, close <= high, nothing negative). closeTime is the bar's last
 * microsecond (openTime + interval - 1); receivedAt is the instant the bar closed (openTime + interval),
 * the earliest time a live feed could have delivered it.
 */
export function buildBar(reader: FieldReader, f: BarFields): Bar {
  const lengthUs = intervalMicros(f.interval);
  if (f.openTime % lengthUs !== 0) {
    throw reader.error(
      `open time ${new Date(f.openTime / 1000).toISOString()} is not on a ${f.interval} boundary`,
      { openTime: f.openTime, interval: f.interval },
    );
  }
  if (f.low.isNegative()) throw reader.error(`low ${f.low} is negative`);
  if (f.volume.isNegative()) throw reader.error(`volume ${f.volume} is negative`);
  if (f.quoteVolume.isNegative()) throw reader.error(`quote volume ${f.quoteVolume} is negative`);
  if (!Number.isSafeInteger(f.tradeCount) || f.tradeCount < 0) {
    throw reader.error(`trade count ${f.tradeCount} must be a non-negative integer`);
  }
  if (f.high.lt(f.low) || f.open.lt(f.low) || f.close.lt(f.low) || f.open.gt(f.high) || f.close.gt(f.high)) {
    throw reader.error(
      `inconsistent prices: open ${f.open}, high ${f.high}, low ${f.low}, close ${f.close} (need low <= open, close <= high)`,
    );
  }
  const endUs = f.openTime + lengthUs;
  return {
    kind: "bar",
    instrumentId: f.instrumentId,
    interval: f.interval,
    openTime: f.openTime,
    closeTime: (endUs - 1) as UnixMicros,
    open: f.open,
    high: f.high,
    low: f.low,
    close: f.close,
    volume: f.volume,
    quoteVolume: f.quoteVolume,
    tradeCount: f.tradeCount,
    closed: f.closed,
    receivedAt: endUs as UnixMicros,
  };
}
