import { z } from "zod";
import { loadConfig, redactConfig } from "../app/index.ts";
import { builtinStrategies } from "../strategy/builtin/index.ts";
import { exitOnConfigError } from "./exit-on-config-error.ts";

/** Prints each built-in strategy with its parameter schema (JSON Schema). */
export function strategiesCommand(): void {
  for (const def of builtinStrategies) {
    process.stdout.write(`${def.name}: ${def.description}\n`);
    process.stdout.write(
      `${JSON.stringify(z.toJSONSchema(def.params as z.ZodType, { io: "input", unrepresentable: "any" }), null, 2)}\n\n`,
    );
  }
}

/** Prints the validated configuration, or what is wrong with it. */
export function configCommand(): void {
  try {
    process.stdout.write(`${JSON.stringify(redactConfig(loadConfig()), null, 2)}\n`);
  } catch (e) {
    exitOnConfigError(e);
  }
}
