/** The logging a market stream needs (pino's signature); nothing it logs contains secrets. */
export interface MarketStreamLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** A logger that drops everything: the default when none is given. */
export const silentLogger: MarketStreamLogger = {
  info() {},
  warn() {},
  error() {},
};
