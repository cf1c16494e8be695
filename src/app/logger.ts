import { type Logger, pino } from "pino";

/** Paths pino replaces with "[redacted]" wherever they appear: secrets never reach a log line. */
export const REDACTED_PATHS = [
  "apiKey",
  "apiSecret",
  "secret",
  "password",
  "signature",
  "privateKey",
  "*.apiKey",
  "*.apiSecret",
  "*.secret",
  "*.password",
  "*.signature",
  "*.privateKey",
  "headers['x-mbx-apikey']",
  "*.headers['x-mbx-apikey']",
];

/** Creates the structured logger (JSON lines on stdout, or the given stream) with secret redaction. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, base: { app: "des" }, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
