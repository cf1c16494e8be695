import { Worker } from "node:worker_threads";
import {
  type ClientOrderId,
  DesError,
  ErrorCode,
  type InstrumentId,
  type StrategyId,
  toError,
} from "../../core/index.ts";
import type { Instrument } from "../../model/index.ts";
import type { OrderRequest, Strategy, StrategyContext } from "../strategy.ts";
import type { WorkerModuleRef } from "../strategy-registry.ts";
import {
  decodeOrderRequest,
  decodeSignalRequest,
  type EncodedWorkerEvent,
  encodeInstrument,
  encodeOpenOrder,
  encodeWorkerEvent,
  type FromWorkerMsg,
  type ToWorkerMsg,
  type WorkerBoot,
  type WorkerEvent,
  type WorkerHook,
} from "./worker-codec.ts";

const WORKER_SCRIPT = new URL("./strategy-worker.ts", import.meta.url);

/** What the proxy needs from the context it is handed, beyond the public StrategyContext. */
export interface WorkerActionTarget extends StrategyContext {
  /** Sends an order under a client order id the worker already returned to the strategy. */
  submitOrderWithId(request: OrderRequest, clientOrderId: ClientOrderId): void;
}

/** How to start a worker for one strategy instance. */
export interface WorkerStrategyProxyOptions {
  readonly ref: WorkerModuleRef;
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly rawParams: unknown;
  readonly instrument: Instrument | undefined;
  /** Returns a fresh client order id, used as the base of the worker's own ids. */
  readonly nextOrderIdBase: () => ClientOrderId;
  /** Called when the worker fails outside a hook (crash, setState or updateParams threw). */
  readonly onFault: (error: Error) => void;
  /** Longest a worker may take to load its module. */
  readonly bootTimeoutMs: number;
}

interface PendingCall {
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  readonly ctx: StrategyContext;
}

/**
 * Runs one strategy instance in its own worker thread and looks like an async Strategy to the
 * engine: each hook call posts the event and returns a promise settled by the worker's reply, so
 * the engine's permits, mailbox and time budget apply unchanged. An infinite loop in the worker
 * simply never replies: the engine's budget timer fires and calls terminate().
 *
 * One worker per worker-mode instance: isolation is the point (a terminated worker takes nothing
 * else down), and worker mode is for the few CPU-heavy or untrusted strategies, not for thousands.
 */
export class WorkerStrategyProxy {
  readonly #options: WorkerStrategyProxyOptions;
  #worker: Worker | undefined;
  #strategy: Strategy<unknown> | undefined;
  #seq = 0;
  readonly #pending = new Map<number, PendingCall>();
  #state: unknown;
  #wantState = false;
  #rawParams: unknown;
  /** Workers started so far (1 + restarts). */
  starts = 0;

  constructor(options: WorkerStrategyProxyOptions) {
    this.#options = options;
    this.#rawParams = options.rawParams;
  }

  /** Returns true while a worker is running. */
  get alive(): boolean {
    return this.#worker !== undefined;
  }

  /** Returns the strategy facade whose hooks run in the worker (after start()). */
  get strategy(): Strategy<unknown> {
    if (this.#strategy === undefined) {
      throw new DesError(
        ErrorCode.StrategyNotRunning,
        `worker of ${this.#options.strategyId} was never started`,
      );
    }
    return this.#strategy;
  }

  /** Starts a fresh worker (terminating any previous one) and resolves once its strategy is loaded. */
  start(): Promise<Strategy<unknown>> {
    this.terminate();
    const o = this.#options;
    const boot: WorkerBoot = {
      url: o.ref.url,
      exportName: o.ref.exportName,
      strategyId: o.strategyId,
      instrumentId: o.instrumentId,
      rawParams: this.#rawParams,
      instrument: o.instrument === undefined ? undefined : encodeInstrument(o.instrument),
      orderIdBase: o.nextOrderIdBase(),
    };
    const worker = new Worker(WORKER_SCRIPT, { workerData: boot, name: `strategy:${o.strategyId}` });
    this.#worker = worker;
    this.starts++;
    return new Promise<Strategy<unknown>>((resolve, reject) => {
      let booted = false;
      const bootTimer = setTimeout(() => {
        if (booted) return;
        booted = true;
        this.terminate();
        reject(
          new DesError(
            ErrorCode.StrategyTimeout,
            `worker of ${o.strategyId} did not load within ${o.bootTimeoutMs} ms`,
            {
              strategyId: o.strategyId,
            },
          ),
        );
      }, o.bootTimeoutMs);
      bootTimer.unref();
      worker.on("message", (msg: FromWorkerMsg) => {
        if (this.#worker !== worker) return;
        if (msg.t === "ready" || msg.t === "bootError") {
          if (booted) return;
          booted = true;
          clearTimeout(bootTimer);
          if (msg.t === "ready") {
            this.#strategy = this.#facade(msg.hooks, msg.hasGetState, msg.hasUpdateParams);
            resolve(this.#strategy);
          } else {
            this.terminate();
            reject(remoteError(ErrorCode.StrategyFailed, `worker of ${o.strategyId} failed to load`, msg));
          }
          return;
        }
        this.#onMessage(msg);
      });
      const onDeath = (err: Error): void => {
        if (this.#worker !== worker) return;
        this.#worker = undefined;
        if (!booted) {
          booted = true;
          clearTimeout(bootTimer);
          reject(err);
          return;
        }
        this.#failPending(err);
        o.onFault(err);
      };
      worker.on("error", (err) => onDeath(err));
      worker.on("exit", (code) =>
        onDeath(new DesError(ErrorCode.StrategyFailed, `worker of ${o.strategyId} exited with code ${code}`)),
      );
    });
  }

  /** Ends the worker at once (an infinite loop included); pending hook calls are rejected. */
  terminate(): void {
    const worker = this.#worker;
    if (worker === undefined) return;
    this.#worker = undefined;
    worker.terminate().catch(() => {});
    this.#failPending(
      new DesError(ErrorCode.StrategyNotRunning, `worker of ${this.#options.strategyId} was terminated`),
    );
  }

  /**
   * Records the raw parameters the next updateParams sends (and a restarted worker starts with):
   * the worker validates them again with the schema, since parsed values may not cross threads.
   */
  setRawParams(raw: unknown): void {
    this.#rawParams = raw;
  }

  /** Updates the worker's position mirror for one instrument. */
  positionChanged(instrumentId: InstrumentId, quantity: string): void {
    this.#post({ t: "position", instrumentId, quantity });
  }

  #post(msg: ToWorkerMsg): void {
    this.#worker?.postMessage(msg);
  }

  #facade(hooks: readonly WorkerHook[], hasGetState: boolean, hasUpdateParams: boolean): Strategy<unknown> {
    const s: { -readonly [K in keyof Strategy<unknown>]: Strategy<unknown>[K] } = {};
    for (const hook of hooks) {
      if (hook === "onStart" || hook === "onStop") s[hook] = (ctx) => this.#call(hook, undefined, ctx);
      else
        s[hook] = (event: WorkerEvent, ctx: StrategyContext) =>
          this.#call(hook, encodeWorkerEvent(event), ctx);
    }
    // Both always exist so that resume can restore the last state even without a worker-side getState.
    s.setState = (state: unknown) => {
      this.#state = state;
      this.#post({ t: "setState", state });
    };
    if (hasUpdateParams) s.updateParams = () => this.#post({ t: "params", raw: this.#rawParams });
    if (hasGetState) {
      // The worker's getState cannot be called synchronously: this returns the latest snapshot the
      // worker sent and asks for a fresh one with the next hook (sent anyway after markStateChanged).
      s.getState = () => {
        this.#wantState = true;
        return this.#state;
      };
    }
    return s;
  }

  #call(hook: WorkerHook, event: EncodedWorkerEvent | undefined, ctx: StrategyContext): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) {
      return Promise.reject(
        new DesError(ErrorCode.StrategyNotRunning, `worker of ${this.#options.strategyId} is not running`),
      );
    }
    const seq = ++this.#seq;
    const id = this.#options.instrumentId;
    const msg: ToWorkerMsg = {
      t: "hook",
      seq,
      hook,
      event,
      now: ctx.clock.now(),
      warming: ctx.isWarmingUp,
      position: ctx.position(id).toString(),
      openOrders: ctx.openOrders(id).map(encodeOpenOrder),
      wantState: this.#wantState,
    };
    this.#wantState = false;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject, ctx });
      worker.postMessage(msg);
    });
  }

  #onMessage(msg: FromWorkerMsg): void {
    switch (msg.t) {
      case "fault":
        this.#options.onFault(remoteError(ErrorCode.StrategyFailed, "worker strategy failed", msg));
        return;
      case "done": {
        const call = this.#take(msg.seq);
        if (msg.state !== undefined) this.#state = msg.state.value;
        call?.resolve();
        return;
      }
      case "error":
        this.#take(msg.seq)?.reject(remoteError(ErrorCode.StrategyFailed, msg.message, msg));
        return;
      case "signal":
      case "submit":
      case "cancel":
      case "dirty":
        break;
      default:
        return;
    }
    const call = this.#pending.get(msg.seq);
    if (call === undefined) return;
    try {
      this.#apply(call.ctx, msg);
    } catch (thrown) {
      // A bad action fails the hook that made it, exactly as a throw inside an inline hook would.
      this.#take(msg.seq);
      call.reject(toError(thrown));
    }
  }

  #apply(ctx: StrategyContext, msg: FromWorkerMsg): void {
    switch (msg.t) {
      case "signal":
        ctx.signal(decodeSignalRequest(msg.request));
        break;
      case "submit": {
        const request = decodeOrderRequest(msg.request);
        const target = ctx as Partial<WorkerActionTarget>;
        if (typeof target.submitOrderWithId === "function") {
          target.submitOrderWithId(request, msg.clientOrderId as ClientOrderId);
        } else {
          ctx.submitOrder(request);
        }
        break;
      }
      case "cancel":
        ctx.cancelOrder(msg.clientOrderId as ClientOrderId);
        break;
      case "dirty":
        ctx.markStateChanged();
        break;
      default:
        break;
    }
  }

  #take(seq: number): PendingCall | undefined {
    const call = this.#pending.get(seq);
    this.#pending.delete(seq);
    return call;
  }

  #failPending(err: Error): void {
    const calls = [...this.#pending.values()];
    this.#pending.clear();
    for (const c of calls) c.reject(err);
  }
}

function remoteError(
  code: ErrorCode,
  message: string,
  msg: { message: string; stack: string | undefined },
): DesError {
  const err = new DesError(code, message === msg.message ? message : `${message}: ${msg.message}`, {
    remoteMessage: msg.message,
  });
  // The stack that matters is the worker's, where the strategy code ran.
  if (msg.stack !== undefined) err.stack = msg.stack;
  return err;
}
