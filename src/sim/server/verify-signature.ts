import {
  constants,
  createHmac,
  createPublicKey,
  createSecretKey,
  type KeyObject,
  timingSafeEqual,
  verify,
} from "node:crypto";

/** The API key types Binance supports (reference section 3.5). */
export type SimKeyType = "HMAC" | "ED25519" | "RSA";

/** Checks a signature over a payload with one account's key. */
export type SignatureVerifier = (payload: string, signature: string) => boolean;

/** Returns a verifier for HMAC-SHA256 hex signatures, compared case-insensitively (reference section 3.1). */
export function hmacVerifier(secret: string): SignatureVerifier {
  // A KeyObject made once: createHmac with a Buffer key is several times slower per call.
  const key = createSecretKey(Buffer.from(secret, "utf8"));
  return (payload, signature) => {
    if (signature.length !== 64) return false;
    const expected = createHmac("sha256", key).update(payload, "utf8").digest();
    const given = Buffer.from(signature, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

/** Returns a verifier for base64 Ed25519 or RSA (PKCS#1 v1.5, SHA-256) signatures, and the key's type. */
export function publicKeyVerifier(pem: string): { keyType: "ED25519" | "RSA"; verify: SignatureVerifier } {
  const key: KeyObject = createPublicKey(pem);
  const type = key.asymmetricKeyType;
  if (type === "ed25519") {
    return { keyType: "ED25519", verify: (payload, signature) => check(null, key, payload, signature) };
  }
  if (type === "rsa") {
    const rsaKey = { key, padding: constants.RSA_PKCS1_PADDING };
    return { keyType: "RSA", verify: (payload, signature) => check("sha256", rsaKey, payload, signature) };
  }
  throw new Error(`unsupported public key type ${type ?? "unknown"} (expected Ed25519 or RSA)`);
}

function check(
  algorithm: string | null,
  key: KeyObject | { key: KeyObject; padding: number },
  payload: string,
  signature: string,
): boolean {
  // A base64 signature sent unencoded in a query string has its '+' turned into ' ' by form decoding.
  const text = signature.indexOf(" ") === -1 ? signature : signature.replaceAll(" ", "+");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return false;
  try {
    return verify(algorithm, Buffer.from(payload, "utf8"), key, Buffer.from(text, "base64"));
  } catch {
    return false;
  }
}
