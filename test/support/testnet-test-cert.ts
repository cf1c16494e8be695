/**
 * A throwaway self-signed certificate for the Binance testnet host names (testnet.binance.vision,
 * stream.testnet.binance.vision, ws-api.testnet.binance.vision), made for test/binance-environment.test.ts
 * only: it lets that test answer TLS connections meant for the testnet from a local proxy in front of
 * the simulator. It protects nothing and is trusted by nothing but that test (passed as `ca`).
 * Made with: openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
 * -subj "/CN=testnet.binance.vision" -addext "subjectAltName=DNS:testnet.binance.vision,DNS:stream.testnet.binance.vision,DNS:ws-api.testnet.binance.vision"
 */

/** The certificate (PEM). */
export const TESTNET_TEST_CERT_PEM =
  "-----BEGIN CERTIFICATE-----\n" +
  "MIIB/TCCAaKgAwIBAgIUCiuNKGKV/vNVyRR521h++odJ/UEwCgYIKoZIzj0EAwIw\n" +
  "ITEfMB0GA1UEAwwWdGVzdG5ldC5iaW5hbmNlLnZpc2lvbjAgFw0yNjExMjUwMDI4\n" +
  "MzFaGA8yMTI2MTEwMTAwMjgzMVowITEfMB0GA1UEAwwWdGVzdG5ldC5iaW5hbmNl\n" +
  "LnZpc2lvbjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABHbLtQr/sqD7zR9zpQy/\n" +
  "7AuZsaMhHO7GfCQUWYvQX+3On1qpfaY00AO/b7APNfvy0PDlShddkjbkTdjFZb+M\n" +
  "MHOjgbUwgbIwHQYDVR0OBBYEFO23y+29lyINzvrvLNI6FUf0ReePMB8GA1UdIwQY\n" +
  "MBaAFO23y+29lyINzvrvLNI6FUf0ReePMA8GA1UdEwEB/wQFMAMBAf8wXwYDVR0R\n" +
  "BFgwVoIWdGVzdG5ldC5iaW5hbmNlLnZpc2lvboIdc3RyZWFtLnRlc3RuZXQuYmlu\n" +
  "YW5jZS52aXNpb26CHXdzLWFwaS50ZXN0bmV0LmJpbmFuY2UudmlzaW9uMAoGCCqG\n" +
  "SM49BAMCA0kAMEYCIQC2Ed8ai2lW+LJ+IrJZe6xBpqmMNSepQGdRIXQfAasFZQIh\n" +
  "AL/ZNkCdWl/DNdYxNlWMhIy0GMbUXIrkAteBZOa8Pn7m\n" +
  "-----END CERTIFICATE-----\n";

/** Its private key (PEM): a test fixture, not a secret. */
export const TESTNET_TEST_KEY_PEM =
  "-----BEGIN PRIVATE KEY-----\n" +
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgTycRvWF/0tkhQuae\n" +
  "dGjhtHwohpWJDu56Z5bnelEJZ1ChRANCAAR2y7UK/7Kg+80fc6UMv+wLmbGjIRzu\n" +
  "xnwkFFmL0F/tzp9aqX2mNNADv2+wDzX78tDw5UoXXZI25E3YxWW/jDBz\n" +
  "-----END PRIVATE KEY-----\n";
