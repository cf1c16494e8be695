export { type DesConfig, isSecretSetting, redactConfig, SETTINGS, type SettingKey } from "./config-schema.ts";
export { DesApp, type DesAppDeps } from "./des-app.ts";
export { type ConfigSources, loadConfig } from "./load-config.ts";
export { createLogger, REDACTED_PATHS } from "./logger.ts";
