import type { StrategyDefinition } from "../strategy.ts";
import type { WorkerModuleRef } from "../strategy-registry.ts";
import { bollingerReversion } from "./bollinger-reversion.ts";
import { dca } from "./dca.ts";
import { grid } from "./grid.ts";
import { maCross } from "./ma-cross.ts";
import { rsiReversion } from "./rsi-reversion.ts";

export { type BollingerParams, bollingerReversion } from "./bollinger-reversion.ts";
export { type DcaParams, dca } from "./dca.ts";
export { decimalParam } from "./decimal-param.ts";
export { type GridParams, grid, gridLevelPrices } from "./grid.ts";
export { type MaCrossParams, maCross } from "./ma-cross.ts";
export { type RsiParams, rsiReversion } from "./rsi-reversion.ts";

/** The built-in strategy definitions, in documentation order. */
export const builtinStrategies: readonly StrategyDefinition[] = [
  maCross,
  rsiReversion,
  bollingerReversion,
  grid,
  dca,
];

/** Returns, by configuration name, the module URL and export name each built-in definition lives at (worker mode). */
export const builtinStrategyModules: Readonly<Record<string, WorkerModuleRef>> = {
  ma_cross: { url: new URL("./ma-cross.ts", import.meta.url).href, exportName: "maCross" },
  rsi: { url: new URL("./rsi-reversion.ts", import.meta.url).href, exportName: "rsiReversion" },
  bollinger: {
    url: new URL("./bollinger-reversion.ts", import.meta.url).href,
    exportName: "bollingerReversion",
  },
  grid: { url: new URL("./grid.ts", import.meta.url).href, exportName: "grid" },
  dca: { url: new URL("./dca.ts", import.meta.url).href, exportName: "dca" },
};
