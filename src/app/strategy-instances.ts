import type { Logger } from "pino";
import { type StrategyId, toError } from "../core/index.ts";
import type { Awaitable, DesStore } from "../persistence/index.ts";
import type { StrategyEngine } from "../strategy/index.ts";

/**
 * Operator changes to strategy instances survive a restart: parameters changed through the API and a
 * pause or stop. Each instance is stored with the configuration it was created from (the strategies
 * file's entry), its current parameters and its last status while DES ran (a shutdown's own stops are
 * not recorded). At start, an instance whose file entry is unchanged since it was stored gets its
 * stored parameters and, once started, its stored pause or stop; an edited entry means the operator
 * changed the file, and the file wins.
 */

/** What start-up takes over from the stored instances. */
export interface RestoredInstances {
  /** Instances whose stored parameters were applied. */
  readonly params: StrategyId[];
  /** Instances to pause (or stop) once started, as they were before the restart. */
  readonly pause: StrategyId[];
  readonly stop: StrategyId[];
  /** Instances whose file entry changed since they were stored (nothing restored). */
  readonly fileChanged: StrategyId[];
}

/** The configuration an instance was created from, as stored (its file entry, parsed). */
function configJson(strategies: StrategyEngine, id: StrategyId): string {
  return JSON.stringify(strategies.config(id));
}

/** Saves an instance's configuration, current parameters and `status` (default: its status now). */
export function saveStrategyInstance(
  store: DesStore,
  strategies: StrategyEngine,
  id: StrategyId,
  nowUs: number,
  status: string = strategies.status(id),
): Awaitable<void> {
  const config = strategies.config(id);
  return store.saveStrategyInstance({
    strategyId: id,
    kind: config.strategy,
    instrumentId: config.instrument,
    configJson: configJson(strategies, id),
    paramsJson: JSON.stringify(strategies.params(id) ?? null),
    status,
    updatedAt: nowUs,
  });
}

/**
 * Applies the stored parameters of instances whose file entry is unchanged (before they start) and
 * returns which to pause or stop once started. Parameters a definition cannot take while it exists
 * (no updateParams hook) or no longer accepts are logged and the file's kept.
 */
export async function restoreStrategyInstances(
  store: DesStore,
  strategies: StrategyEngine,
  log: Logger,
): Promise<RestoredInstances> {
  const restored: RestoredInstances = { params: [], pause: [], stop: [], fileChanged: [] };
  const stored = new Map((await store.strategyInstances()).map((r) => [r.strategyId, r]));
  for (const id of strategies.ids()) {
    const row = stored.get(id);
    if (row === undefined) continue;
    if (row.configJson !== configJson(strategies, id)) {
      restored.fileChanged.push(id);
      continue;
    }
    if (row.paramsJson !== JSON.stringify(strategies.params(id) ?? null)) {
      try {
        strategies.updateParams(id, JSON.parse(row.paramsJson));
        restored.params.push(id);
      } catch (e) {
        log.warn(
          { strategyId: id, err: toError(e).message },
          "stored strategy parameters not applied: keeping the strategies file's",
        );
      }
    }
    if (row.status === "PAUSED") restored.pause.push(id);
    if (row.status === "STOPPED") restored.stop.push(id);
  }
  return restored;
}

/** Pauses or stops the started instances that were paused or stopped before the restart. */
export async function applyRestoredStatuses(
  strategies: StrategyEngine,
  restored: RestoredInstances,
  log: Logger,
): Promise<void> {
  for (const id of restored.pause) {
    try {
      if (strategies.status(id) === "RUNNING") strategies.pause(id, "paused before the restart");
    } catch (e) {
      log.warn({ strategyId: id, err: toError(e).message }, "could not pause the strategy again");
    }
  }
  for (const id of restored.stop) await strategies.stop(id, "stopped before the restart");
  const { params, pause, stop, fileChanged } = restored;
  if (params.length + pause.length + stop.length + fileChanged.length > 0) {
    log.info({ params, pause, stop, fileChanged }, "strategy instances restored from the store");
  }
}
