import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { FastifyReply, FastifyRequest } from "fastify";
import { DesError, ErrorCode } from "../core/index.ts";
import { ApiErrorCode } from "./api-error-code.ts";
import type { CommandActor } from "./command-facade.ts";

/** The shortest API token accepted: a guessable token is no protection. */
export const MIN_API_TOKEN_LENGTH = 16;
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;
const BEARER = /^Bearer +(\S+) *$/i;
const OPERATOR_HEADER = "x-des-operator";
const MAX_OPERATOR_LENGTH = 64;

/**
 * Who may send commands (POST/PUT): holders of the bearer token when one is set, anyone who can
 * reach a loopback-only listener otherwise.
 */
export type CommandAuth =
  | { readonly kind: "bearer"; readonly digest: Buffer }
  | { readonly kind: "loopback" };

/** Returns true for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice("::ffff:".length) : h;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/**
 * Returns the command auth for a listener; throws DES_ERR_INVALID_CONFIG (never echoing the token)
 * when the token is malformed, or when the host is reachable from other machines and no token is set.
 */
export function commandAuth(host: string, token: string | undefined): CommandAuth {
  if (token !== undefined) {
    if (typeof token !== "string" || token.length < MIN_API_TOKEN_LENGTH || !TOKEN_PATTERN.test(token)) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `DES_API_TOKEN must be at least ${MIN_API_TOKEN_LENGTH} printable characters without spaces (value not shown)`,
        { key: "DES_API_TOKEN" },
      );
    }
    return { kind: "bearer", digest: sha256(token) };
  }
  if (!isLoopbackHost(host)) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `the API listens on ${host}, which other machines can reach, and DES_API_TOKEN is not set: ` +
        "set DES_API_TOKEN (commands then need Authorization: Bearer <token>) or listen on 127.0.0.1",
      { key: "DES_API_TOKEN", host },
    );
  }
  return { kind: "loopback" };
}

/**
 * Throws what buildApiServer would throw for this host and token (DES_ERR_INVALID_CONFIG), so the
 * app can refuse a bad setup before it opens anything.
 */
export function checkCommandAccess(host: string, token: string | undefined): void {
  commandAuth(host, token);
}

/**
 * Returns undefined when the request may run a command, or the 401 message. The token is compared
 * in constant time (SHA-256 digests of equal length through timingSafeEqual).
 */
export function refusal(auth: CommandAuth, authorization: string | undefined): string | undefined {
  if (auth.kind === "loopback") return undefined;
  if (typeof authorization !== "string" || authorization === "")
    return "this command needs an Authorization: Bearer <DES_API_TOKEN> header";
  const match = BEARER.exec(authorization);
  if (match === null) return "the Authorization header must be Bearer <DES_API_TOKEN>";
  return timingSafeEqual(sha256(match[1]!), auth.digest) ? undefined : "the bearer token is not valid";
}

/** Sends the 401 answer (with WWW-Authenticate, as RFC 6750 asks). */
export function sendUnauthorized(reply: FastifyReply, message: string): void {
  reply
    .code(401)
    .header("www-authenticate", 'Bearer realm="des"')
    .header("cache-control", "no-store")
    .send({ error: { code: ApiErrorCode.Unauthorized, message } });
}

/** Returns who sent the request, for the audit log: address, how they were let in, optional name. */
export function actorOf(auth: CommandAuth, request: FastifyRequest): CommandActor {
  const raw = request.headers[OPERATOR_HEADER];
  const name = typeof raw === "string" ? raw.slice(0, MAX_OPERATOR_LENGTH).replace(/[^\x20-\x7e]/g, "?") : "";
  return {
    ip: request.ip,
    auth: auth.kind,
    ...(name.trim() === "" ? {} : { operator: name }),
  };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
