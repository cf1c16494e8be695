/**
 * The entry script of a strategy worker thread: loads one StrategyDefinition by module URL and
 * export name, creates the instance from its raw parameters (validated again here with the
 * definition's schema, since zod output such as Decimals cannot cross threads), and runs its hooks
 * as the engine asks, one at a time. Context actions are sent back to the engine, which applies
 * them exactly as for an inline strategy; position() and openOrders() read mirrors the engine
 * refreshes with every hook call and on PositionChanged.
 */
import { parentPort, workerData } from "node:worker_threads";
import {
  type ClientOrderId,
  type Clock,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  type StrategyId,
  type TimerId,
  toError,
  type UnixMicros,
} from "../../core/index.ts";
import type { Instrument } from "../../model/index.ts";
import type {
  OpenOrderView,
  OrderRequest,
  SignalRequest,
  Strategy,
  StrategyContext,
  StrategyDefinition,
} from "../strategy.ts";
import { parseStrategyParams } from "../strategy-params.ts";
import {
  decodeInstrument,
  decodeOpenOrder,
  decodeWorkerEvent,
  encodeOrderRequest,
  encodeSignalRequest,
  type FromWorkerMsg,
  type ToWorkerMsg,
  type WorkerBoot,
  type WorkerHook,
} from "./worker-codec.ts";

const port = parentPort;
if (port === null) throw new Error("strategy-worker.ts must run in a worker thread");
const boot = workerData as WorkerBoot;

function send(msg: FromWorkerMsg): void {
  port!.postMessage(msg);
}

/**
 * The engine's time as of the current hook. Timers are refused: a worker strategy reacts to the
 * events it is handed, so backtests stay deterministic and a terminated worker leaves nothing behind.
 */
class WorkerClock implements Clock {
  nowUs = 0;
  now(): UnixMicros {
    return this.nowUs as UnixMicros;
  }
  setTimeout(): TimerId {
    throw noTimers();
  }
  setInterval(): TimerId {
    throw noTimers();
  }
  clearTimer(): void {}
}

function noTimers(): DesError {
  return new DesError(ErrorCode.StrategyFailed, "timers are not available to strategies in worker mode", {
    strategyId: boot.strategyId,
  });
}

const clock = new WorkerClock();
const instrumentId = boot.instrumentId as InstrumentId;
const instrument: Instrument | undefined =
  boot.instrument === undefined ? undefined : decodeInstrument(boot.instrument);
const positions = new Map<string, Decimal>();
let openOrders: readonly OpenOrderView[] = [];
let currentSeq = 0;
let warming = false;
let dirty = false;
let orderCounter = 0;

const ctx: StrategyContext = {
  strategyId: boot.strategyId as StrategyId,
  clock,
  get isWarmingUp() {
    return warming;
  },
  instrument(id: InstrumentId) {
    return id === instrumentId ? instrument : undefined;
  },
  position(id: InstrumentId) {
    return positions.get(id) ?? Decimal.ZERO;
  },
  openOrders(id: InstrumentId) {
    return id === instrumentId ? openOrders : [];
  },
  signal(request: SignalRequest) {
    send({ t: "signal", seq: currentSeq, request: encodeSignalRequest(request) });
  },
  submitOrder(request: OrderRequest) {
    if (warming) return undefined;
    orderCounter++;
    const id = `${boot.orderIdBase}-${orderCounter.toString(36)}` as ClientOrderId;
    send({ t: "submit", seq: currentSeq, clientOrderId: id, request: encodeOrderRequest(request) });
    return id;
  },
  cancelOrder(clientOrderId: ClientOrderId) {
    send({ t: "cancel", seq: currentSeq, clientOrderId });
  },
  markStateChanged() {
    dirty = true;
    send({ t: "dirty", seq: currentSeq });
  },
};

const HOOKS: readonly WorkerHook[] = ["onStart", "onStop", "onBar", "onTrade", "onQuote", "onOrderFilled"];

type HookFn = (eventOrCtx: unknown, ctx?: StrategyContext) => void | Promise<void>;
let strategy: Strategy<unknown>;
let definition: StrategyDefinition<unknown>;

async function load(): Promise<void> {
  const mod = (await import(boot.url.startsWith("/") ? `file://${boot.url}` : boot.url)) as Record<
    string,
    unknown
  >;
  const def = mod[boot.exportName] as StrategyDefinition<unknown> | undefined;
  if (def === undefined || typeof def.create !== "function" || def.params === undefined) {
    throw new DesError(
      ErrorCode.UnknownStrategy,
      `worker module ${boot.url} has no StrategyDefinition export "${boot.exportName}"`,
      { url: boot.url, exportName: boot.exportName },
    );
  }
  definition = def;
  strategy = def.create(parseStrategyParams(def.params, boot.rawParams, boot.strategyId));
}

function stateReply(want: boolean): { value: unknown } | undefined {
  if ((!want && !dirty) || typeof strategy.getState !== "function") return undefined;
  return { value: strategy.getState() };
}

async function runHook(msg: Extract<ToWorkerMsg, { t: "hook" }>): Promise<void> {
  currentSeq = msg.seq;
  clock.nowUs = msg.now;
  warming = msg.warming;
  dirty = false;
  positions.set(instrumentId, Decimal.from(msg.position));
  openOrders = msg.openOrders.map(decodeOpenOrder);
  try {
    const fn = strategy[msg.hook] as HookFn | undefined;
    if (fn !== undefined) {
      const result =
        msg.event === undefined
          ? fn.call(strategy, ctx)
          : fn.call(strategy, decodeWorkerEvent(msg.event), ctx);
      if (result !== undefined) await result;
    }
    send({ t: "done", seq: msg.seq, state: stateReply(msg.wantState || msg.hook === "onStop") });
  } catch (thrown) {
    const err = toError(thrown);
    send({ t: "error", seq: msg.seq, message: err.message, stack: err.stack });
  }
}

function fault(thrown: unknown): void {
  const err = toError(thrown);
  send({ t: "fault", message: err.message, stack: err.stack });
}

// Hooks run one at a time in arrival order, after the definition has loaded: the engine never sends
// the next hook before the previous one replied, but setState/params messages may come in between.
let chain: Promise<void> = load().then(
  () => {
    const hooks: WorkerHook[] = HOOKS.filter((h) => typeof strategy[h] === "function");
    send({
      t: "ready",
      hooks,
      hasGetState: typeof strategy.getState === "function",
      hasUpdateParams: typeof strategy.updateParams === "function",
    });
  },
  (thrown: unknown) => {
    const err = toError(thrown);
    send({ t: "bootError", message: err.message, stack: err.stack });
  },
);

port.on("message", (msg: ToWorkerMsg) => {
  switch (msg.t) {
    case "hook":
      chain = chain.then(() => runHook(msg));
      break;
    case "setState":
      chain = chain.then(() => {
        try {
          strategy.setState?.(msg.state);
        } catch (thrown) {
          fault(thrown);
        }
      });
      break;
    case "params":
      chain = chain.then(() => {
        try {
          strategy.updateParams?.(parseStrategyParams(definition.params, msg.raw, boot.strategyId));
        } catch (thrown) {
          fault(thrown);
        }
      });
      break;
    case "position":
      positions.set(msg.instrumentId, Decimal.from(msg.quantity));
      break;
  }
});
