/**
 * The simulator's accounts and their API keys. The defaults use PUBLISHED example credentials only: the HMAC
 * key pair of Binance's own API documentation (reference section 3.3) and the Ed25519 test key of the official
 * Java connector's test fixtures (section 3.4). They are not real credentials and are safe to print.
 */

/** One simulated account and the API key that acts on it. */
export interface SimAccountConfig {
  readonly accountId: string;
  /** The X-MBX-APIKEY value; letters and digits, 1 to 128 characters. */
  readonly apiKey: string;
  /** HMAC-SHA256 secret (an HMAC key); exactly one of hmacSecret and publicKeyPem. */
  readonly hmacSecret?: string;
  /** Ed25519 or RSA public key (PEM, SPKI); a private key PEM also works, its public half is used. */
  readonly publicKeyPem?: string;
  /** Starting balances, asset -> decimal string. */
  readonly balances: Readonly<Record<string, string>>;
}

/** The example API key of Binance's documentation (HMAC), reference section 3.3. */
export const DOCS_HMAC_API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
/** The example secret key of Binance's documentation, reference section 3.3. */
export const DOCS_HMAC_SECRET_KEY = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

/** The simulator's API key name for the Ed25519 test account (a made-up key id, 64 characters). */
export const SIM_ED25519_API_KEY = "desSimEd25519JavaConnectorTestKeyPublicFixtureNotARealApiKey0001";
/** The Java connector's published Ed25519 test private key (test-ed25519-prv-key.pem), reference section 3.4. */
export const JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM =
  "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEILpXm6EtDzSzPJWHTbP904h5R3bzb0QsLjTf1tAt2OlB\n-----END PRIVATE KEY-----\n";

/** Starting balances of every default account. */
export const DEFAULT_SIM_BALANCES: Readonly<Record<string, string>> = Object.freeze({
  USDT: "100000",
  BUSD: "100000",
  BTC: "10",
  LTC: "1000",
  ETH: "100",
  EUR: "100000",
});

/** Returns the default accounts: "hmac" (the docs' HMAC key pair) and "ed25519" (the Java connector's key). */
export function defaultSimAccounts(): SimAccountConfig[] {
  return [
    {
      accountId: "hmac",
      apiKey: DOCS_HMAC_API_KEY,
      hmacSecret: DOCS_HMAC_SECRET_KEY,
      balances: DEFAULT_SIM_BALANCES,
    },
    {
      accountId: "ed25519",
      apiKey: SIM_ED25519_API_KEY,
      publicKeyPem: JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM,
      balances: DEFAULT_SIM_BALANCES,
    },
  ];
}
