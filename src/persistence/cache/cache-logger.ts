/** The logging the cache layer needs (pino's signature). Nothing it logs contains a secret. */
export interface CacheLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything: the default when none is given. */
export const silentCacheLogger: CacheLogger = {
  info() {},
  warn() {},
};
