import { createHmac, createPrivateKey, createSecretKey, type KeyObject, sign } from "node:crypto";
import { DesError, ErrorCode } from "../../../core/index.ts";

/** The kinds of API key Binance supports (reference section 3.5). */
export type BinanceKeyType = "HMAC" | "ED25519" | "RSA";

/** Signs a request payload with one API key's secret; the signature is a secret and is never logged. */
export interface RequestSigner {
  readonly keyType: BinanceKeyType;
  /** Returns the signature of the payload: lowercase hex for HMAC, base64 for Ed25519 and RSA. */
  sign(payload: string): string;
}

/** Returns an HMAC-SHA256 signer (hex output); the key object is built once, not per request. */
export function hmacSigner(secret: string): RequestSigner {
  if (secret.length === 0) {
    throw new DesError(ErrorCode.InvalidCredentials, "the HMAC secret key is empty (BINANCE_SECRET_KEY)");
  }
  const key = createSecretKey(Buffer.from(secret, "utf8"));
  return {
    keyType: "HMAC",
    sign: (payload) => createHmac("sha256", key).update(payload, "utf8").digest("hex"),
  };
}

/** Returns an Ed25519 signer (base64 output) for a PKCS#8 PEM private key. */
export function ed25519Signer(privateKeyPem: string): RequestSigner {
  return signerForKey(parsePrivateKey(privateKeyPem), "ED25519");
}

/** Returns an RSASSA-PKCS1-v1_5 SHA-256 signer (base64 output) for a PKCS#8 PEM private key. */
export function rsaSigner(privateKeyPem: string): RequestSigner {
  return signerForKey(parsePrivateKey(privateKeyPem), "RSA");
}

/** Returns the Ed25519 or RSA signer the PEM private key's own type calls for. */
export function signerFromPrivateKeyPem(privateKeyPem: string): RequestSigner {
  const key = parsePrivateKey(privateKeyPem);
  const type = key.asymmetricKeyType;
  if (type === "ed25519") return signerForKey(key, "ED25519");
  if (type === "rsa") return signerForKey(key, "RSA");
  throw new DesError(
    ErrorCode.InvalidCredentials,
    `the private key is of type ${String(type)}; Binance accepts Ed25519 or RSA keys`,
    { keyType: type },
  );
}

function parsePrivateKey(pem: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: "pem" });
  } catch {
    // The parser's own message is dropped on purpose: nothing about the key text may reach a log.
    throw new DesError(
      ErrorCode.InvalidCredentials,
      "the private key is not an unencrypted PKCS#8 PEM key (BINANCE_PRIVATE_KEY_FILE)",
    );
  }
}

function signerForKey(key: KeyObject, keyType: "ED25519" | "RSA"): RequestSigner {
  const expected = keyType === "ED25519" ? "ed25519" : "rsa";
  if (key.asymmetricKeyType !== expected) {
    throw new DesError(
      ErrorCode.InvalidCredentials,
      `the private key is of type ${String(key.asymmetricKeyType)}, not ${expected}`,
      { keyType: key.asymmetricKeyType },
    );
  }
  // Ed25519 takes no digest (null); RSA signs SHA-256 with PKCS#1 v1.5 padding, Node's default for RSA keys.
  const algorithm = keyType === "ED25519" ? null : "sha256";
  return {
    keyType,
    sign: (payload) => sign(algorithm, Buffer.from(payload, "utf8"), key).toString("base64"),
  };
}
