import { readFileSync } from "node:fs";
import { DesError, ErrorCode } from "../core/index.ts";

/**
 * Reads and parses a JSON configuration file; an unreadable file or invalid JSON throws
 * DES_ERR_INVALID_CONFIG naming what the file is (`what`), its path and the setting that named it.
 */
export function readJsonConfigFile(path: string, what: string, settingKey: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new DesError(ErrorCode.InvalidConfig, `${what} ${path} cannot be read: ${(e as Error).message}`, {
      key: settingKey,
      value: path,
    });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `${what} ${path} is not valid JSON: ${(e as Error).message}`,
      {
        key: settingKey,
        value: path,
      },
    );
  }
}
