import { DesError, ErrorCode } from "../core/index.ts";
import { type DesConfig, isSecretSetting, SETTINGS, type SettingKey } from "./config-schema.ts";
import { readJsonConfigFile } from "./read-json-config-file.ts";

/** Where settings come from: the environment and an optional JSON file (DES_CONFIG). */
export interface ConfigSources {
  readonly env?: Record<string, string | undefined>;
  /** Path of a JSON config file; DES_CONFIG in env when not given. */
  readonly file?: string | undefined;
}

function readConfigFile(path: string): Record<string, unknown> {
  const parsed = readJsonConfigFile(path, "config file", "DES_CONFIG");
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new DesError(ErrorCode.InvalidConfig, `config file ${path} must hold a JSON object`, {
      key: "DES_CONFIG",
      value: path,
    });
  }
  const unknownKeys = Object.keys(parsed).filter((k) => !(k in SETTINGS));
  if (unknownKeys.length > 0) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `config file ${path}: unknown key(s) ${unknownKeys.join(", ")}; expected one of ${Object.keys(SETTINGS).join(", ")}`,
      {
        key: unknownKeys[0],
        value: path,
      },
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * Validates every setting once (environment over file over default) and returns a frozen config.
 * A bad value throws DES_ERR_INVALID_CONFIG naming the key, the value and what was expected.
 */
export function loadConfig(sources: ConfigSources = {}): DesConfig {
  const env = sources.env ?? process.env;
  const filePath = sources.file ?? env["DES_CONFIG"];
  const fileValues = filePath ? readConfigFile(filePath) : {};
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  let first: { key: string; value: unknown } | undefined;
  for (const [key, setting] of Object.entries(SETTINGS) as Array<
    [SettingKey, (typeof SETTINGS)[SettingKey]]
  >) {
    const envValue = env[setting.env];
    const fromEnv = envValue !== undefined && envValue !== "";
    const raw = fromEnv ? envValue : fileValues[key];
    const result = setting.schema.safeParse(raw);
    if (result.success) {
      out[key] = result.data;
    } else {
      const where = fromEnv ? setting.env : `${key} in ${filePath}`;
      const expected = result.error.issues.map((i) => i.message).join("; ");
      // A secret's value is never echoed, not even when it is malformed.
      const shown = isSecretSetting(key) ? "[redacted]" : raw;
      problems.push(`${where}=${JSON.stringify(shown)}: ${expected} (${setting.doc})`);
      first ??= { key: fromEnv ? setting.env : key, value: shown };
    }
  }
  if (problems.length > 0) {
    throw new DesError(ErrorCode.InvalidConfig, `invalid configuration:\n  ${problems.join("\n  ")}`, {
      key: first?.key,
      value: first?.value,
      problems,
    });
  }
  return Object.freeze(out) as DesConfig;
}
