import assert from "node:assert/strict";
import { test } from "node:test";
import { BinanceCredentials } from "../binance-credentials.ts";
import { buildQueryString } from "./build-query-string.ts";
import { ed25519Signer, hmacSigner, rsaSigner, signerFromPrivateKeyPem } from "./request-signer.ts";
import { JAVA_ED25519_PEM, PYTHON_ED25519_PEM, PYTHON_RSA_PEM } from "./test-support/signing-test-keys.ts";
import { signWsApiParams, wsApiSignaturePayload } from "./ws-api-signing.ts";

// Every vector of reference sections 3.3 and 3.4.
const DOCS_API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const DOCS_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const docs = hmacSigner(DOCS_SECRET);

test("H1: REST HMAC of the documented ASCII order, built from params in insertion order", () => {
  const payload = buildQueryString({
    symbol: "LTCBTC",
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    quantity: 1,
    price: "0.1",
    recvWindow: 5000,
    timestamp: 1499827319559,
  });
  assert.equal(
    payload,
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
  );
  assert.equal(docs.sign(payload), "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
});

test("H2: REST HMAC of a non-ASCII symbol, percent-encoded before signing", () => {
  const payload = buildQueryString({
    symbol: "１２３４５６",
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    quantity: "1",
    price: "0.1",
    recvWindow: "5000",
    timestamp: "1499827319559",
  });
  assert.equal(
    payload,
    "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
  );
  assert.equal(docs.sign(payload), "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3");
});

test("H3: REST HMAC of query string + body with no separator", () => {
  const query = buildQueryString({ symbol: "LTCBTC", side: "BUY", type: "LIMIT", timeInForce: "GTC" });
  const body = buildQueryString({ quantity: 1, price: "0.1", recvWindow: 5000, timestamp: 1499827319559 });
  assert.equal(docs.sign(query + body), "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77");
});

const docsCredentials = new BinanceCredentials(DOCS_API_KEY, docs);

const WS_VECTORS: Array<{ name: string; params: Record<string, string | number>; signature: string }> = [
  {
    name: "W1 order.place ASCII",
    params: {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.01000000",
      price: "52000.00",
      recvWindow: 100,
      timestamp: 1645423376532,
    },
    signature: "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24",
  },
  {
    name: "W2 order.place non-ASCII, raw UTF-8",
    params: {
      symbol: "１２３４５６",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "1.00000000",
      price: "0.10000000",
      recvWindow: 5000,
      timestamp: 1645423376532,
    },
    signature: "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd",
  },
  {
    name: "W3 session.logon",
    params: { timestamp: 1649729878532 },
    signature: "1cf54395b336b0a9727ef27d5d98987962bc47aca6e13fe978612d0adee066ed",
  },
  {
    name: "W4 order.place / order.test",
    params: {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "LIMIT",
      timeInForce: "GTC",
      price: "23416.10000000",
      quantity: "0.00847000",
      timestamp: 1660801715431,
    },
    signature: "15af09e41c36f3cc61378c2fbe2c33719a03dd5eba8d0f9206fbda44de717c88",
  },
  {
    name: "W5 order.cancel",
    params: { symbol: "BTCUSDT", origClientOrderId: "4d96324ff9d44481926157", timestamp: 1660801715830 },
    signature: "33d5b721f278ae17a52f004a82a6f68a70c68e7dd6776ed0be77a455ab855282",
  },
  {
    name: "W6 openOrders.cancelAll",
    params: { symbol: "BTCUSDT", timestamp: 1660805557200 },
    signature: "773f01b6e3c2c9e0c1d217bc043ce383c1ddd6f0e25f8d6070f2b66a6ceaf3a5",
  },
  {
    name: "W7 account.status",
    params: { timestamp: 1660801839480 },
    signature: "83303b4a136ac1371795f465808367242685a9e3a42b22edb4d977d0696eb45c",
  },
  {
    name: "W8 order.status",
    params: { symbol: "BTCUSDT", orderId: 12569099453, timestamp: 1660801720951 },
    signature: "2c3aab5a078ee4ea465ecd95523b77289f61476c2f238ec10c55ea6cb11a6f35",
  },
  {
    name: "W9 openOrders.status",
    params: { symbol: "BTCUSDT", timestamp: 1660813156812 },
    signature: "d632b3fdb8a81dd44f82c7c901833309dd714fe508772a89b0a35b0ee0c48b89",
  },
];

for (const v of WS_VECTORS) {
  test(`${v.name}: WebSocket API HMAC over sorted, unencoded params incl. apiKey`, () => {
    const signed = signWsApiParams(v.params, docsCredentials);
    assert.equal(signed.signature, v.signature);
    assert.equal(signed.apiKey, DOCS_API_KEY);
    assert.equal(signed.timestamp, v.params.timestamp);
  });
}

test("W1 payload text is sorted by name and not percent-encoded", () => {
  assert.equal(
    wsApiSignaturePayload({ ...(WS_VECTORS[0]?.params ?? {}), apiKey: DOCS_API_KEY, signature: "ignored" }),
    `apiKey=${DOCS_API_KEY}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`,
  );
  assert.match(wsApiSignaturePayload({ symbol: "１２３４５６", apiKey: "k" }), /symbol=１２３４５６$/);
});

test("signWsApiParams uses the given timestamp when the params carry none", () => {
  const signed = signWsApiParams({ symbol: "BTCUSDT" }, docsCredentials, 1660805557200);
  assert.equal(signed.timestamp, 1660805557200);
  assert.equal(signed.signature, "773f01b6e3c2c9e0c1d217bc043ce383c1ddd6f0e25f8d6070f2b66a6ceaf3a5");
});

test("Java connector REST HMAC table (secret 'secretKey')", () => {
  const java = hmacSigner("secretKey");
  const table: Array<[string, string]> = [
    [
      "timestamp=1736393892000symbol=BNBUSDT&side=BUY&type=MARKET",
      "6486465768232440fc305256c99d50fa366fe8e7f0e7be813f78507f50e0cb4c",
    ],
    [
      "symbol=BNBUSDT&orderId=1&origClientOrderId=myOrder1&newClientOrderId=cancelMyOrder1&cancelRestrictions=ONLY_NEW&recvWindow=5000&timestamp=1736393892000",
      "13fd107081705dfeb1904dcff57b10a1d45af1f8616c36391cfd016a00b72419",
    ],
    [
      "symbol=BNBUSDT&recvWindow=5000&timestamp=1736393892000",
      "1c2ec70499498e5c5d2f4e98a7e24c74f2801642a8c3743d289dbfc1ca00c7a8",
    ],
    [
      "omitZeroBalances=false&recvWindow=5000&timestamp=1736393892000",
      "80eb12d82de3d921dc6a83f98a28a092b813f6946f7ce7c57c0540c86607a60c",
    ],
    [
      "symbol=LTCBTC&recvWindow=5000&timestamp=1736393892000",
      "cdf064a4d97e1bba79b07d4390db761f82d1df0ee1ca8fe41b13d97fabecbc6e",
    ],
    [
      "symbol=LTCBTC&orderId=1&origClientOrderId=myOrder1&recvWindow=5000&timestamp=1736393892000",
      "5f1949c59361dd39e56a028ca51f8a1dc65fa1b26fb3405d698193fc177644ec",
    ],
  ];
  for (const [payload, hex] of table) assert.equal(java.sign(payload), hex, payload);
  // The DELETE payload built from params equals the Java connector's string.
  assert.equal(
    buildQueryString({
      symbol: "BNBUSDT",
      orderId: 1,
      origClientOrderId: "myOrder1",
      newClientOrderId: "cancelMyOrder1",
      cancelRestrictions: "ONLY_NEW",
      recvWindow: 5000,
      timestamp: 1736393892000,
    }),
    table[1]?.[0],
  );
});

test("Python connector HMAC vector", () => {
  assert.equal(
    hmacSigner(DOCS_SECRET).sign("timestamp=1578963600000"),
    "d84e6641b1e328e7b418fff030caed655c266299c9355e36ce801ed14631eed4",
  );
});

test("Python connector RSA vector (PKCS#1 v1.5, SHA-256, base64)", () => {
  const signer = rsaSigner(PYTHON_RSA_PEM);
  assert.equal(signer.keyType, "RSA");
  assert.equal(
    signer.sign(
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
    ),
    "uz2xmNkOf1EEsnZoWGraxR13F4jF9JYdC68uvWqYyjFyjwDgcoiMRm23UqsxWkmA208smu7TuGVxm1cWoZa/5fLQ2T/RcfLW9sokNWDzf1vM/xEpSmQEsSyIzd/c0pMWGsUkXsYpIarp3e/KSFzgwI73qZfbalBRkkK7u3dLWRVRk4kmEVf6dQUWMyXC44X8LB0M1XFrhkqcFYdcP9NcaCZCvb8nzG/nyUPtCJdBxVn8MMgXaVCM8DIbSrUBT0ZUxFQ3gTSd929LR1Tp6P2y4pHiWSElW5nJZYRRn2zUFt4xH7wvVKvuuEi8HH0Dusf6KBcWq8/3viAcRUh1Cj4fsQ==",
  );
});

test("Python connector Ed25519 vector", () => {
  assert.equal(
    ed25519Signer(PYTHON_ED25519_PEM).sign("type=SPOT&timestamp=1685686334211"),
    "E4nWIl3yUJgJFL6LoWImsrEwNegMiN9SN1FWKw+P3xXkJ2T/MtSq3Cg7fVnOGFWxTBX6vrTJJNoZnVtAgs1CAQ==",
  );
});

test("Java connector Ed25519 vectors: REST GET /api/v3/account and WS API order.place", () => {
  const signer = ed25519Signer(JAVA_ED25519_PEM);
  assert.equal(
    signer.sign("timestamp=1736393892000"),
    "1KohSdsEYUHEO2qTbkkjbmFdufaUTF9dKat6oUwE2RHT+zThFX4i1MMeNC5nqH0Eya07jbRN9/Lq1HaTgjD2Aw==",
  );
  const ws = signWsApiParams(
    { symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timestamp: 1736393892000 },
    new BinanceCredentials("apiKey", signer),
  );
  assert.equal(
    wsApiSignaturePayload({ ...ws }),
    "apiKey=apiKey&side=BUY&symbol=BTCUSDT&timestamp=1736393892000&type=LIMIT",
  );
  assert.equal(
    ws.signature,
    "NY2J8Gl6ma79oNKejRwyRmuKvymgH5ybfEZ3fqC+wGnnfrIPNKY5iDB+btYVmBZq88HDZFMNHhjbxC+J7o3DBA==",
  );
});

test("signerFromPrivateKeyPem picks Ed25519 or RSA from the key itself", () => {
  assert.equal(signerFromPrivateKeyPem(JAVA_ED25519_PEM).keyType, "ED25519");
  assert.equal(signerFromPrivateKeyPem(PYTHON_RSA_PEM).keyType, "RSA");
  assert.throws(() => rsaSigner(JAVA_ED25519_PEM), { code: "DES_ERR_INVALID_CREDENTIALS" });
  assert.throws(() => ed25519Signer(PYTHON_RSA_PEM), { code: "DES_ERR_INVALID_CREDENTIALS" });
});

test("a broken PEM is refused without quoting the key", () => {
  const broken = "-----BEGIN PRIVATE KEY-----\nNOTAKEYsecretmaterial\n-----END PRIVATE KEY-----\n";
  assert.throws(
    () => signerFromPrivateKeyPem(broken),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, "DES_ERR_INVALID_CREDENTIALS");
      assert.doesNotMatch(err.message, /NOTAKEY|secretmaterial/);
      return true;
    },
  );
});

test("HMAC signatures are lowercase hex and repeatable (the key object is reused)", () => {
  const a = docs.sign("x=1");
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(docs.sign("x=1"), a);
});
