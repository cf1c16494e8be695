import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { inspect } from "node:util";
import {
  type BinanceCredentials,
  binanceCredentialSourceFromEnv,
  loadBinanceCredentials,
  maskApiKey,
} from "./binance-credentials.ts";
import { JAVA_ED25519_PEM, PYTHON_RSA_PEM } from "./signing/test-support/signing-test-keys.ts";

const API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const dir = mkdtempSync(join(tmpdir(), "des-creds-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Every way a credentials object can end up in a log or a message. */
function renderings(c: BinanceCredentials): string[] {
  return [
    String(c),
    `${c}`,
    JSON.stringify(c),
    JSON.stringify({ nested: { c } }),
    inspect(c),
    inspect({ deep: [c] }, { depth: 10, showHidden: true }),
    JSON.stringify(Object.entries(c)),
    JSON.stringify({ ...c }),
  ];
}

function assertNoSecret(texts: string[], secrets: string[]): void {
  for (const text of texts) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `leaked in: ${text.slice(0, 200)}`);
  }
}

test("masks the API key as vmPU...h8A and never shows the key or the secret", () => {
  const c = loadBinanceCredentials({ apiKey: API_KEY, secretKey: SECRET });
  assert.equal(c.apiKey, API_KEY);
  assert.equal(c.keyType, "HMAC");
  assert.equal(maskApiKey(API_KEY), "vmPU...h8A");
  assert.match(String(c), /apiKey: "vmPU\.\.\.h8A"/);
  assert.deepEqual(JSON.parse(JSON.stringify(c)), { apiKey: "vmPU...h8A", keyType: "HMAC" });
  assertNoSecret(renderings(c), [API_KEY, SECRET]);
  assertNoSecret([inspect(c.signer, { showHidden: true, depth: 10 })], [SECRET]);
  assert.equal(maskApiKey("short"), "****");
});

test("a private key never shows, whether Ed25519 or RSA", () => {
  const ed = loadBinanceCredentials({ apiKey: API_KEY, privateKeyPem: JAVA_ED25519_PEM });
  assert.equal(ed.keyType, "ED25519");
  const rsa = loadBinanceCredentials({ apiKey: API_KEY, privateKeyFile: file("rsa.pem", PYTHON_RSA_PEM) });
  assert.equal(rsa.keyType, "RSA");
  const keyBody = (pem: string) => pem.split("\n")[1] as string;
  assertNoSecret(
    [...renderings(ed), ...renderings(rsa)],
    [API_KEY, keyBody(JAVA_ED25519_PEM), keyBody(PYTHON_RSA_PEM)],
  );
});

test("reads a JSON secrets file with secretKey or privateKeyFile", () => {
  const hmac = loadBinanceCredentials({
    secretsFile: file("s1.json", JSON.stringify({ apiKey: API_KEY, secretKey: SECRET })),
  });
  assert.equal(hmac.keyType, "HMAC");
  assert.equal(
    hmac.signer.sign("timestamp=1578963600000"),
    "d84e6641b1e328e7b418fff030caed655c266299c9355e36ce801ed14631eed4",
  );
  const pemPath = file("ed.pem", JAVA_ED25519_PEM);
  const ed = loadBinanceCredentials({
    secretsFile: file("s2.json", JSON.stringify({ apiKey: API_KEY, privateKeyFile: pemPath })),
  });
  assert.equal(ed.keyType, "ED25519");
  const edInline = loadBinanceCredentials({
    secretsFile: file("s3.json", JSON.stringify({ apiKey: API_KEY, privateKeyPem: JAVA_ED25519_PEM })),
  });
  assert.equal(edInline.keyType, "ED25519");
  // Explicit values win over the file.
  const mixed = loadBinanceCredentials({
    apiKey: "explicitKey123",
    secretsFile: file("s4.json", JSON.stringify({ apiKey: API_KEY, secretKey: SECRET })),
  });
  assert.equal(mixed.apiKey, "explicitKey123");
});

function assertCredentialError(
  fn: () => unknown,
  mustName: RegExp,
  secrets: string[] = [SECRET, API_KEY],
): void {
  assert.throws(fn, (err: Error & { code?: string; details?: unknown }) => {
    assert.equal(err.code, "DES_ERR_INVALID_CREDENTIALS");
    assert.match(err.message, mustName);
    assertNoSecret([err.message, JSON.stringify(err), inspect(err), String(err.stack)], secrets);
    return true;
  });
}

test("missing pieces are named, never valued", () => {
  assertCredentialError(() => loadBinanceCredentials({ apiKey: API_KEY }), /BINANCE_SECRET_KEY/);
  assertCredentialError(() => loadBinanceCredentials({ secretKey: SECRET }), /BINANCE_API_KEY/);
  assertCredentialError(
    () => loadBinanceCredentials({ apiKey: "  ", secretKey: "" }),
    /BINANCE_API_KEY.*BINANCE_SECRET_KEY/,
  );
  assertCredentialError(
    () => loadBinanceCredentials({ apiKey: API_KEY, secretKey: SECRET, privateKeyPem: JAVA_ED25519_PEM }),
    /not both/,
  );
  assertCredentialError(
    () => loadBinanceCredentials({ apiKey: `${API_KEY}\r\nX: y`, secretKey: SECRET }),
    /BINANCE_API_KEY/,
  );
});

test("unreadable files are named by path and reason, and bad JSON is not quoted", () => {
  assertCredentialError(
    () => loadBinanceCredentials({ apiKey: API_KEY, privateKeyFile: join(dir, "nope.pem") }),
    /BINANCE_PRIVATE_KEY_FILE .*nope\.pem.*ENOENT/,
  );
  assertCredentialError(
    () => loadBinanceCredentials({ secretsFile: join(dir, "nope.json") }),
    /BINANCE_SECRETS_FILE/,
  );
  const bad = file("bad.json", `{"apiKey": "${API_KEY}", "secretKey": "${SECRET}",}`);
  assertCredentialError(() => loadBinanceCredentials({ secretsFile: bad }), /not valid JSON/);
  assertCredentialError(
    () => loadBinanceCredentials({ secretsFile: file("arr.json", "[1]") }),
    /JSON object/,
  );
  assertCredentialError(
    () =>
      loadBinanceCredentials({
        secretsFile: file("num.json", JSON.stringify({ apiKey: API_KEY, secretKey: 42 })),
      }),
    /"secretKey" must be a string/,
  );
  const junkPem = file("junk.pem", `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n`);
  assertCredentialError(() => loadBinanceCredentials({ apiKey: API_KEY, privateKeyFile: junkPem }), /PKCS#8/);
});

test("binanceCredentialSourceFromEnv maps the BINANCE_* variables", () => {
  assert.deepEqual(
    binanceCredentialSourceFromEnv({
      BINANCE_API_KEY: "k",
      BINANCE_SECRET_KEY: "s",
      BINANCE_PRIVATE_KEY_FILE: "/p",
      BINANCE_SECRETS_FILE: "/f",
    }),
    { apiKey: "k", secretKey: "s", privateKeyFile: "/p", secretsFile: "/f" },
  );
});
