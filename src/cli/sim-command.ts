import type { Command } from "commander";
import { DesError, ErrorCode } from "../core/index.ts";
import type { BinanceSimulator, SimDataSourceConfig } from "../sim/index.ts";
import { exitOnConfigError } from "./exit-on-config-error.ts";

/** Options of `des sim` as commander parses them. */
export interface SimCommandOptions {
  readonly port: string;
  readonly host: string;
  readonly speed?: string;
  readonly data: string;
}

/** Registers `des sim` on the program. */
export function registerSimCommand(program: Command): void {
  program
    .command("sim")
    .description("start the local Binance-compatible spot exchange simulator (REST, streams, WebSocket API)")
    .option("--port <port>", "port to listen on (0: any free port)", "9900")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--speed <factor>", "market data replay speed (klines default 60: one 1m bar per second)")
    .option("--data <sources>", "market data sources, comma-separated: klines, capture", "klines,capture")
    .action(simCommand);
}

/** `des sim`: starts the simulator, prints its URLs and example credentials, stops on SIGINT/SIGTERM. */
export async function simCommand(options: SimCommandOptions): Promise<void> {
  // Loaded here so that the other commands never load the simulator and its data.
  const simModule = await import("../sim/index.ts");
  let sim: BinanceSimulator;
  try {
    sim = await simModule.BinanceSimulator.start({
      port: integerOption(options.port, "--port", 0, 65535),
      host: options.host,
      sources: dataSources(options.data),
      ...(options.speed === undefined ? {} : { speed: positiveOption(options.speed, "--speed") }),
    });
  } catch (e) {
    exitOnConfigError(e);
  }
  process.stdout.write(banner(sim, simModule));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`des sim: ${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`des sim: ${signal}: stopping\n`);
    void sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** The example credentials the banner prints. */
interface ExampleCredentials {
  readonly DOCS_HMAC_API_KEY: string;
  readonly DOCS_HMAC_SECRET_KEY: string;
  readonly SIM_ED25519_API_KEY: string;
  readonly JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM: string;
}

function banner(sim: BinanceSimulator, keys: ExampleCredentials): string {
  const pem = keys.JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM.trim()
    .split("\n")
    .map((line) => `             ${line}`);
  return [
    "des sim: Binance-compatible spot exchange simulator",
    `  REST           ${sim.restUrl}   (e.g. ${sim.restUrl}/api/v3/exchangeInfo)`,
    `  Market streams ${sim.streamUrl}   (/ws/<stream>, /stream?streams=<a>/<b>)`,
    `  WebSocket API  ${sim.wsApiUrl}`,
    `  Control        GET ${sim.restUrl}/sim/state, POST ${sim.restUrl}/sim/faults/<name> (JSON body)`,
    "",
    "Accounts. These are PUBLIC example credentials, safe to print: the HMAC key pair of Binance's own API",
    "documentation and the Ed25519 test key of the official Java connector. They are not real keys.",
    `  hmac     API key     ${keys.DOCS_HMAC_API_KEY}`,
    `           secret key  ${keys.DOCS_HMAC_SECRET_KEY}`,
    `  ed25519  API key     ${keys.SIM_ED25519_API_KEY}`,
    "           private key (PEM):",
    ...pem,
    "",
    "Press Ctrl+C to stop.",
    "",
  ].join("\n");
}

function dataSources(text: string): SimDataSourceConfig[] {
  const kinds = text
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  const sources: SimDataSourceConfig[] = [];
  for (const kind of new Set(kinds)) {
    if (kind === "klines") sources.push({ kind: "klines" });
    else if (kind === "capture") sources.push({ kind: "capture" });
    else throw invalid("--data", text, "klines, capture or both (comma-separated)");
  }
  if (sources.length === 0) throw invalid("--data", text, "klines, capture or both (comma-separated)");
  return sources;
}

function integerOption(text: string, option: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < min || n > max)
    throw invalid(option, text, `an integer from ${min} to ${max}`);
  return n;
}

function positiveOption(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw invalid(option, text, "a number > 0");
  return n;
}

function invalid(option: string, value: string, expected: string): DesError {
  return new DesError(ErrorCode.InvalidConfig, `${option} ${JSON.stringify(value)}: expected ${expected}`, {
    option,
    value,
  });
}
