/** What every indicator offers, whatever its inputs and outputs. */
export interface Indicator {
  /** True once every output is available; outputs are NaN before. */
  readonly isReady: boolean;
  /** Forgets every input, as if newly constructed. */
  reset(): void;
  /** Returns a JSON-safe snapshot; the class's static fromJSON restores it exactly. */
  toJSON(): IndicatorSnapshot;
}

/** The common part of every indicator snapshot; `kind` names the indicator class. */
export interface IndicatorSnapshot {
  readonly kind: string;
  readonly version: number;
}

/** An indicator fed one number per update (a close, a price) with one output. */
export interface ValueIndicator extends Indicator {
  /** Adds a value; throws a DesError (InvalidMarketData, state unchanged) when it is not finite. */
  update(value: number): void;
  /** The output, NaN until ready. */
  readonly value: number;
}

/** An indicator fed one bar (high, low, close) per update. */
export interface BarIndicator extends Indicator {
  /** Adds a bar; throws a DesError (InvalidMarketData, state unchanged) on a non-finite or inverted bar. */
  update(high: number, low: number, close: number): void;
}
