import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { describe, it } from "node:test";
import { DOCS_HMAC_SECRET_KEY, JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM } from "../sim-accounts-config.ts";
import { restSignaturePayload, wsApiSignaturePayload } from "./signature-payload.ts";
import { hmacVerifier, publicKeyVerifier } from "./verify-signature.ts";

// Vectors: reference sections 3.3 and 3.4 (official docs and connectors; all public test keys).
const H1_PAYLOAD =
  "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
const H1_SIG = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
const H3_QUERY = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC";
const H3_BODY = "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
const H3_SIG = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77";

const PYTHON_RSA_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDPrfWMr2yqxJgJ
cIyA5TDFpZBlB9E3RMbbEcPZijmPDiciZjuRiD1Q6oQzi1MFGTZ523HwSXe9XG3R
NQaLCjxi+VkLsvCoxzgurkWXoQr0VHJyEDxnyRaCzTyvvHQgt0LKCWfqalYNz0ue
doxnYnde3DH/tFFXX0/rTkJyK6LpOyKOAqE0G7OhuQWkLvlUO8mqwtGNqdrtOgzv
kTN5rhb5VeWB4JGWDcAYFb9CQI9wD7/JJU1XQGIOJEY3L/PjGLcjDEiROt57/RS3
i6OVTiAgDcgA405tNLgS326hfbEchI5tKeOxqrFYVfvOK8+4o+rrUBnMhrBg0tJv
1feQKeAnAgMBAAECggEAUdB8PZIWQyfzpTRbhaPElPhmbAaqWxWTKVZUS2zyw/KV
ZC3WJb0AOtJIhm3KpOWL2nGi70BiFY1GDfbPvxKnO25zr/IscLEa5vjsnZFp2Vsz
QtA2m8RSQ/FKiQi6zvCjNSiDcYu2nvYdGi4lnczirdIdOFj2+m6n81D/SC78nNhj
P/JLbSPFw+XOfVqOVelXHw7XGtMH9dgFjWDdB317HcJjZyPDahpQQ7s6PcecDwuv
Qucs+Hi4sAWiHOiwKusx3sT/NL5Og/jAvC5aMy1QswWFnPr90T3qFE4MN1GZszzX
DmDkWaGaRwuwdpi/ocIZF3R9XX3m+WOVdEZRfzzcEQKBgQDt11achN666/j1kgQM
xPdzo06eUUZb/JUtEXz8hU+AzRsN/eso/47pjaPq7nrXFYE4aEx7Je2I9S52Y+b/
SLrctuza25VOxvqIpDynlvM/Iatg9WuTEIuOk7gkBFanDNjDjZDKFuDYSEfN+sX+
UakFT7cm+xu12PWR8HlZmFZL5QKBgQDfiRrC8zADSIE74uFBJ5K88t6cwrktqdPH
9QT69j+VpRXssyUoCfR4/zchKbEyTwSASvL1saJR14Opmvn6Le+0DKq+EV7Z1UM6
svVIzd9pWWMhRh9G83CC5Krx9Ie+34QHNRxBf+rya5if/aBCDtBFedRGbR6Le8MB
yvrpT5hzGwKBgQCU2+QPjnHA2BQ3zq3OODEQJTP9jqzUwd+0F2/8tIsv+C9osHXQ
cTLHJqljTuN/XqxD27OSmAh1Yc80tg5L1P9vSOYxjKGEbrE7eF+mHKod5zrWMoSj
xQUztWzYzgZWA4pfymjGs08Czypx1vS42e9JrbzaHuwXArWgI7wvwVKxqQKBgQCS
ByIZav7Zljr+oUdf5fdBQjPVGowYXZJBVTpMrCN7od4BxEIotuAjTy53lqHwaJhb
KxsvED0m0/BqExjsq6ek6oV8JyLckSobJZ+BUSR60O8mZIW4Nv4wNCvMZl9rfN7m
SnbL/0G/3jRViD1yCfVa/ayD2XMT0eThvfVOBzZjMwKBgB5jasP9TcDAyaEKta+g
6glTM0MKUWfhZzYRbvDXdnatjjMEdixWm9aXwc0Nw+aN0KkdLBwvnDiVMtX+Xl2n
BU2Gxxe3H8qrvkoi8zmzh3VWpqzfB+L3sXAq+6VNNYLEFLBR6D2u4DD86FvY+DsU
miJlY6JEKpSxvkrS04XrbvHk
-----END PRIVATE KEY-----
`;
const PYTHON_RSA_SIG =
  "uz2xmNkOf1EEsnZoWGraxR13F4jF9JYdC68uvWqYyjFyjwDgcoiMRm23UqsxWkmA208smu7TuGVxm1cWoZa/5fLQ2T/RcfLW9sokNWDzf1vM/xEpSmQEsSyIzd/c0pMWGsUkXsYpIarp3e/KSFzgwI73qZfbalBRkkK7u3dLWRVRk4kmEVf6dQUWMyXC44X8LB0M1XFrhkqcFYdcP9NcaCZCvb8nzG/nyUPtCJdBxVn8MMgXaVCM8DIbSrUBT0ZUxFQ3gTSd929LR1Tp6P2y4pHiWSElW5nJZYRRn2zUFt4xH7wvVKvuuEi8HH0Dusf6KBcWq8/3viAcRUh1Cj4fsQ==";
const PYTHON_ED25519_PUBLIC =
  "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAtvp1GL6wRJCrnFM50RXzj/wBAn/phoC1chuta0+bklk=\n-----END PUBLIC KEY-----\n";

describe("HMAC verification (docs key pair)", () => {
  const verify = hmacVerifier(DOCS_HMAC_SECRET_KEY);

  it("accepts H1 as a query string, in either letter case", () => {
    const payload = restSignaturePayload(`${H1_PAYLOAD}&signature=${H1_SIG}`, "");
    assert.equal(payload, H1_PAYLOAD);
    assert.equal(verify(payload, H1_SIG), true);
    assert.equal(verify(payload, H1_SIG.toUpperCase()), true);
  });

  it("accepts H1 sent as a body only", () => {
    assert.equal(verify(restSignaturePayload("", `${H1_PAYLOAD}&signature=${H1_SIG}`), H1_SIG), true);
  });

  it("accepts H3: query and body concatenated without a separator", () => {
    const payload = restSignaturePayload(H3_QUERY, `${H3_BODY}&signature=${H3_SIG}`);
    assert.equal(payload, `${H3_QUERY}${H3_BODY}`);
    assert.equal(verify(payload, H3_SIG), true);
  });

  it("rejects a changed payload, a changed signature and non-hex text", () => {
    assert.equal(verify(H1_PAYLOAD.replace("price=0.1", "price=0.2"), H1_SIG), false);
    assert.equal(verify(H1_PAYLOAD, `${H1_SIG.slice(0, 63)}0`), false);
    assert.equal(verify(H1_PAYLOAD, "z".repeat(64)), false);
    assert.equal(verify(H1_PAYLOAD, ""), false);
  });

  it("accepts the WebSocket API vectors W1 and W3 (sorted, not percent-encoded)", () => {
    const w1 = {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.01000000",
      price: "52000.00",
      recvWindow: 100,
      timestamp: 1645423376532,
      apiKey: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
      signature: "ignored",
    };
    assert.equal(
      verify(wsApiSignaturePayload(w1), "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"),
      true,
    );
    const w3 = {
      timestamp: 1649729878532,
      apiKey: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    };
    assert.equal(
      verify(wsApiSignaturePayload(w3), "1cf54395b336b0a9727ef27d5d98987962bc47aca6e13fe978612d0adee066ed"),
      true,
    );
  });

  it("accepts the Java connector's REST HMAC vectors (secret 'secretKey')", () => {
    const java = hmacVerifier("secretKey");
    assert.equal(
      java(
        "timestamp=1736393892000symbol=BNBUSDT&side=BUY&type=MARKET",
        "6486465768232440fc305256c99d50fa366fe8e7f0e7be813f78507f50e0cb4c",
      ),
      true,
    );
    assert.equal(
      java(
        "omitZeroBalances=false&recvWindow=5000&timestamp=1736393892000",
        "80eb12d82de3d921dc6a83f98a28a092b813f6946f7ce7c57c0540c86607a60c",
      ),
      true,
    );
  });
});

describe("asymmetric verification", () => {
  it("verifies the Java connector's Ed25519 REST vector with the public key derived from its test key", () => {
    const { keyType, verify } = publicKeyVerifier(JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM);
    assert.equal(keyType, "ED25519");
    const sig = "1KohSdsEYUHEO2qTbkkjbmFdufaUTF9dKat6oUwE2RHT+zThFX4i1MMeNC5nqH0Eya07jbRN9/Lq1HaTgjD2Aw==";
    assert.equal(verify("timestamp=1736393892000", sig), true);
    // Form decoding of an unencoded base64 signature turns '+' into ' ': still accepted.
    assert.equal(verify("timestamp=1736393892000", sig.replaceAll("+", " ")), true);
    assert.equal(verify("timestamp=1736393892001", sig), false);
    assert.equal(verify("timestamp=1736393892000", "not base64 at all!"), false);
    assert.equal(
      createPublicKey(JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM)
        .export({ type: "spki", format: "der" })
        .toString("base64"),
      "MCowBQYDK2VwAyEAfriCDVI7O8lQGC+0hKgXYJZcIUVhWiIt8F7EZwroEvs=",
    );
  });

  it("verifies the Java connector's Ed25519 WebSocket API vector", () => {
    const { verify } = publicKeyVerifier(JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM);
    const params = {
      apiKey: "apiKey",
      side: "BUY",
      symbol: "BTCUSDT",
      timestamp: 1736393892000,
      type: "LIMIT",
    };
    assert.equal(
      verify(
        wsApiSignaturePayload(params),
        "NY2J8Gl6ma79oNKejRwyRmuKvymgH5ybfEZ3fqC+wGnnfrIPNKY5iDB+btYVmBZq88HDZFMNHhjbxC+J7o3DBA==",
      ),
      true,
    );
  });

  it("verifies the Python connector's Ed25519 vector", () => {
    const { verify } = publicKeyVerifier(PYTHON_ED25519_PUBLIC);
    assert.equal(
      verify(
        "type=SPOT&timestamp=1685686334211",
        "E4nWIl3yUJgJFL6LoWImsrEwNegMiN9SN1FWKw+P3xXkJ2T/MtSq3Cg7fVnOGFWxTBX6vrTJJNoZnVtAgs1CAQ==",
      ),
      true,
    );
  });

  it("verifies the Python connector's RSA (PKCS#1 v1.5, SHA-256) vector", () => {
    const { keyType, verify } = publicKeyVerifier(PYTHON_RSA_PEM);
    assert.equal(keyType, "RSA");
    assert.equal(verify(H1_PAYLOAD, PYTHON_RSA_SIG), true);
    assert.equal(verify(`${H1_PAYLOAD}0`, PYTHON_RSA_SIG), false);
  });

  it("refuses a key that is neither Ed25519 nor RSA", () => {
    assert.throws(() => publicKeyVerifier("not a pem"));
  });
});

describe("restSignaturePayload", () => {
  it("removes only the signature pair, wherever it is", () => {
    assert.equal(restSignaturePayload("a=1&signature=x&b=2", ""), "a=1&b=2");
    assert.equal(restSignaturePayload("signature=x&a=1", "xsignature=2"), "a=1xsignature=2");
    assert.equal(restSignaturePayload("a=1", ""), "a=1");
  });
});
