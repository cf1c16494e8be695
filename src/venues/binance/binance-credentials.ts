import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { DesError, ErrorCode } from "../../core/index.ts";
import { hmacSigner, type RequestSigner, signerFromPrivateKeyPem } from "./signing/request-signer.ts";

/** Returns an API key shortened for display, e.g. "vmPU...h8A"; short keys show only asterisks. */
export function maskApiKey(apiKey: string): string {
  return apiKey.length >= 12 ? `${apiKey.slice(0, 4)}...${apiKey.slice(-3)}` : "****";
}

/**
 * An API key with its signer. Printing it in any way (String, JSON, util.inspect, a pino log) shows only
 * the masked key; the secret lives in the signer's closure and is never a readable property.
 */
export class BinanceCredentials {
  readonly #apiKey: string;
  readonly #signer: RequestSigner;

  constructor(apiKey: string, signer: RequestSigner) {
    this.#apiKey = apiKey;
    this.#signer = signer;
  }

  /** The API key sent in X-MBX-APIKEY (the WebSocket API's `apiKey` parameter). */
  get apiKey(): string {
    return this.#apiKey;
  }

  get signer(): RequestSigner {
    return this.#signer;
  }

  get keyType(): RequestSigner["keyType"] {
    return this.#signer.keyType;
  }

  toString(): string {
    return `BinanceCredentials { apiKey: "${maskApiKey(this.#apiKey)}", keyType: ${this.#signer.keyType} }`;
  }

  toJSON(): { apiKey: string; keyType: string } {
    return { apiKey: maskApiKey(this.#apiKey), keyType: this.#signer.keyType };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Where credentials may come from: explicit values (config, environment) and/or a JSON secrets file. */
export interface BinanceCredentialSource {
  apiKey?: string;
  /** HMAC secret key. */
  secretKey?: string;
  /** Path of a PKCS#8 PEM file holding an Ed25519 or RSA private key. */
  privateKeyFile?: string;
  privateKeyPem?: string;
  /** Path of `{ "apiKey": ..., "secretKey": ... }` or `{ "apiKey": ..., "privateKeyFile" | "privateKeyPem": ... }`. */
  secretsFile?: string;
}

/**
 * Builds credentials from explicit values, falling back to a JSON secrets file for any value not given.
 * A PEM key decides between Ed25519 and RSA by its own key type. Throws DES_ERR_INVALID_CREDENTIALS naming
 * what is missing or unreadable (a setting name or file path), never a value.
 */
export function loadBinanceCredentials(source: BinanceCredentialSource): BinanceCredentials {
  const fromFile = source.secretsFile === undefined ? {} : readSecretsFile(source.secretsFile);
  const apiKey = nonEmpty(source.apiKey) ?? fromFile.apiKey;
  const secretKey = nonEmpty(source.secretKey) ?? fromFile.secretKey;
  const privateKeyPem = nonEmpty(source.privateKeyPem) ?? fromFile.privateKeyPem;
  const privateKeyFile = nonEmpty(source.privateKeyFile) ?? fromFile.privateKeyFile;

  const missing: string[] = [];
  if (apiKey === undefined) missing.push("BINANCE_API_KEY");
  const hasPrivateKey = privateKeyPem !== undefined || privateKeyFile !== undefined;
  if (secretKey === undefined && !hasPrivateKey)
    missing.push("BINANCE_SECRET_KEY or BINANCE_PRIVATE_KEY_FILE");
  if (apiKey === undefined || missing.length > 0) {
    throw new DesError(
      ErrorCode.InvalidCredentials,
      `Binance credentials are missing: ${missing.join(", ")}`,
      {
        missing,
        secretsFile: source.secretsFile,
      },
    );
  }
  if (secretKey !== undefined && hasPrivateKey) {
    throw new DesError(
      ErrorCode.InvalidCredentials,
      "give either BINANCE_SECRET_KEY (HMAC) or a private key (BINANCE_PRIVATE_KEY_FILE), not both",
    );
  }
  // The key travels in an HTTP header: control characters or spaces would break (or inject into) it.
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new DesError(
      ErrorCode.InvalidCredentials,
      "BINANCE_API_KEY holds characters an API key cannot contain (spaces, control or non-ASCII characters)",
    );
  }
  if (secretKey !== undefined) return new BinanceCredentials(apiKey, hmacSigner(secretKey));
  const pem = privateKeyPem ?? readPrivateKeyFile(privateKeyFile as string);
  return new BinanceCredentials(apiKey, signerFromPrivateKeyPem(pem));
}

/** Returns the credential source named by the BINANCE_* environment variables. */
export function binanceCredentialSourceFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): BinanceCredentialSource {
  return {
    apiKey: env.BINANCE_API_KEY,
    secretKey: env.BINANCE_SECRET_KEY,
    privateKeyFile: env.BINANCE_PRIVATE_KEY_FILE,
    secretsFile: env.BINANCE_SECRETS_FILE,
  };
}

interface SecretsFileContent {
  apiKey?: string;
  secretKey?: string;
  privateKeyFile?: string;
  privateKeyPem?: string;
}

function readSecretsFile(path: string): SecretsFileContent {
  const text = readText(path, "BINANCE_SECRETS_FILE");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse quotes part of the text in its message, which here could be a secret: say only where.
    throw new DesError(ErrorCode.InvalidCredentials, `BINANCE_SECRETS_FILE ${path} is not valid JSON`, {
      path,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new DesError(ErrorCode.InvalidCredentials, `BINANCE_SECRETS_FILE ${path} must hold a JSON object`, {
      path,
    });
  }
  const record = parsed as Record<string, unknown>;
  const out: SecretsFileContent = {};
  for (const key of ["apiKey", "secretKey", "privateKeyFile", "privateKeyPem"] as const) {
    const value = record[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") {
      throw new DesError(
        ErrorCode.InvalidCredentials,
        `BINANCE_SECRETS_FILE ${path}: "${key}" must be a string`,
        { path, key },
      );
    }
    const text = nonEmpty(value);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

function readPrivateKeyFile(path: string): string {
  return readText(path, "BINANCE_PRIVATE_KEY_FILE");
}

function readText(path: string, setting: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new DesError(ErrorCode.InvalidCredentials, `${setting} ${path} cannot be read (${reason})`, {
      path,
      reason,
    });
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed.length === 0 ? undefined : trimmed;
}
