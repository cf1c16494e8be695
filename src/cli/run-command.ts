import { createLogger, DesApp, loadConfig } from "../app/index.ts";
import { exitOnConfigError } from "./exit-on-config-error.ts";

/** `des run`: validates the config, starts DES, and stops it gracefully on SIGINT/SIGTERM. */
export async function runCommand(): Promise<void> {
  let app: DesApp;
  try {
    const config = loadConfig();
    app = await DesApp.create(config, { logger: createLogger(config.logLevel) });
    await app.start();
  } catch (e) {
    exitOnConfigError(e);
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`des: ${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    void app.stop(signal).then(
      (graceful) => process.exit(graceful ? 0 : 1),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
