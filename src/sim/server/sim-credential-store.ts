import { DesError, ErrorCode } from "../../core/index.ts";
import type { SimAccountConfig } from "../sim-accounts-config.ts";
import { SimErrorMsg, type SimFailure, simError } from "./sim-errors.ts";
import {
  hmacVerifier,
  publicKeyVerifier,
  type SignatureVerifier,
  type SimKeyType,
} from "./verify-signature.ts";

/** One API key the simulator accepts: the account it acts on and how its signatures are checked. */
export interface SimCredential {
  readonly apiKey: string;
  readonly accountId: string;
  readonly keyType: SimKeyType;
  readonly verify: SignatureVerifier;
}

/** What the simulator accepts as an API key's format; anything else is -2014. */
const API_KEY_FORMAT = /^[A-Za-z0-9]{1,128}$/;

/** The simulator's API keys, looked up per request. */
export class SimCredentialStore {
  readonly #byKey = new Map<string, SimCredential>();
  readonly #accounts: readonly SimAccountConfig[];

  /** Builds the store; throws DesError InvalidConfig naming the account (never a key) when one is unusable. */
  constructor(accounts: readonly SimAccountConfig[]) {
    this.#accounts = accounts;
    const ids = new Set<string>();
    for (const account of accounts) {
      if (ids.has(account.accountId)) throw configError(account, "accountId is used twice");
      ids.add(account.accountId);
      if (this.#byKey.has(account.apiKey)) throw configError(account, "apiKey is used by another account");
      this.#byKey.set(account.apiKey, credentialFor(account));
    }
  }

  /** Returns the credential for an API key, or -2014 (missing/malformed) / -2015 (unknown) with status 401. */
  lookup(apiKey: string | undefined): SimCredential | SimFailure {
    if (apiKey === undefined || !API_KEY_FORMAT.test(apiKey))
      return simError(401, -2014, SimErrorMsg.apiKeyFormat);
    return this.#byKey.get(apiKey) ?? simError(401, -2015, SimErrorMsg.rejectedKey);
  }

  /** The configured accounts, in order. */
  accounts(): readonly SimAccountConfig[] {
    return this.#accounts;
  }
}

function credentialFor(account: SimAccountConfig): SimCredential {
  if (account.accountId.length === 0) throw configError(account, "accountId is empty");
  if (!API_KEY_FORMAT.test(account.apiKey))
    throw configError(account, "apiKey must be 1-128 letters and digits");
  const base = { apiKey: account.apiKey, accountId: account.accountId };
  if ((account.hmacSecret === undefined) === (account.publicKeyPem === undefined)) {
    throw configError(account, "give exactly one of hmacSecret and publicKeyPem");
  }
  if (account.hmacSecret !== undefined) {
    if (account.hmacSecret.length === 0) throw configError(account, "hmacSecret is empty");
    return { ...base, keyType: "HMAC", verify: hmacVerifier(account.hmacSecret) };
  }
  try {
    const { keyType, verify } = publicKeyVerifier(account.publicKeyPem ?? "");
    return { ...base, keyType, verify };
  } catch (e) {
    throw configError(account, `publicKeyPem is not a usable Ed25519 or RSA key (${(e as Error).message})`);
  }
}

function configError(account: SimAccountConfig, why: string): DesError {
  return new DesError(ErrorCode.InvalidConfig, `simulator account '${account.accountId}': ${why}`, {
    accountId: account.accountId,
  });
}

/** Returns whether a lookup result is a failure rather than a credential. */
export function isSimFailure(value: SimCredential | SimFailure): value is SimFailure {
  return "ok" in value;
}
