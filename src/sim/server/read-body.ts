import type { IncomingMessage } from "node:http";

/** Default cap on a request body; a form-encoded order is a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a request body as UTF-8 text. Calls back with "" at once when the request announces no body;
 * with undefined when the body exceeds `maxBytes` (the rest is discarded) or the request breaks off.
 */
export function readBody(
  req: IncomingMessage,
  maxBytes: number,
  done: (body: string | undefined) => void,
): void {
  const length = req.headers["content-length"];
  if (req.headers["transfer-encoding"] === undefined && (length === undefined || length === "0")) {
    req.resume();
    done("");
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (body: string | undefined) => {
    if (finished) return;
    finished = true;
    done(body);
  };
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      chunks.length = 0;
      finish(undefined);
      return;
    }
    if (!finished) chunks.push(chunk);
  });
  req.on("end", () =>
    finish(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")),
  );
  req.on("error", () => finish(undefined));
  req.on("aborted", () => finish(undefined));
}
