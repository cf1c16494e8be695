/** The simulator's server clock: a base clock (Date.now by default) plus a settable skew. */
export class SimClock {
  readonly #base: () => number;
  #skewMs = 0;

  constructor(base: () => number = Date.now) {
    this.#base = base;
  }

  /** Returns the server time in ms: base time plus skew. Used for /time, timestamp checks and the exchange. */
  readonly now = (): number => this.#base() + this.#skewMs;

  /** The current skew, ms (positive: the server is ahead of the client's clock). */
  get skewMs(): number {
    return this.#skewMs;
  }

  /** Sets the skew, ms. */
  setSkewMs(ms: number): void {
    this.#skewMs = ms;
  }
}
