import type { ClientOrderId, Clock, Decimal, InstrumentId, StrategyId } from "../core/index.ts";
import type { Instrument } from "../model/index.ts";
import type { OpenOrderView, OrderRequest, SignalRequest, StrategyContext } from "./strategy.ts";
import type { StrategyInstance } from "./strategy-instance.ts";

/** What a context asks the engine to do; every action names the generation it was made in. */
export interface ContextHost {
  instrument(id: InstrumentId): Instrument | undefined;
  position(strategyId: StrategyId, id: InstrumentId): Decimal;
  openOrders(strategyId: StrategyId, id: InstrumentId): readonly OpenOrderView[];
  signal(inst: StrategyInstance, generation: number, request: SignalRequest): void;
  submitOrder(
    inst: StrategyInstance,
    generation: number,
    request: OrderRequest,
    clientOrderId: ClientOrderId | undefined,
  ): ClientOrderId | undefined;
  cancelOrder(inst: StrategyInstance, generation: number, clientOrderId: ClientOrderId): void;
  markStateChanged(inst: StrategyInstance, generation: number): void;
}

/**
 * The StrategyContext of one instance in one generation. A hook that was abandoned (it hung past
 * its budget) keeps its old context; the engine ignores and counts whatever it does later.
 */
export class InstanceContext implements StrategyContext {
  readonly strategyId: StrategyId;
  readonly clock: Clock;
  readonly #inst: StrategyInstance;
  readonly #generation: number;
  readonly #host: ContextHost;

  constructor(inst: StrategyInstance, generation: number, clock: Clock, host: ContextHost) {
    this.strategyId = inst.id;
    this.clock = clock;
    this.#inst = inst;
    this.#generation = generation;
    this.#host = host;
  }

  get isWarmingUp(): boolean {
    return this.#inst.warming;
  }

  instrument(id: InstrumentId): Instrument | undefined {
    return this.#host.instrument(id);
  }

  position(id: InstrumentId): Decimal {
    return this.#host.position(this.strategyId, id);
  }

  openOrders(id: InstrumentId): readonly OpenOrderView[] {
    return this.#host.openOrders(this.strategyId, id);
  }

  signal(request: SignalRequest): void {
    this.#host.signal(this.#inst, this.#generation, request);
  }

  submitOrder(request: OrderRequest): ClientOrderId | undefined {
    return this.#host.submitOrder(this.#inst, this.#generation, request, undefined);
  }

  /** Sends an order under an id a worker already gave its strategy (worker mode only). */
  submitOrderWithId(request: OrderRequest, clientOrderId: ClientOrderId): void {
    this.#host.submitOrder(this.#inst, this.#generation, request, clientOrderId);
  }

  cancelOrder(clientOrderId: ClientOrderId): void {
    this.#host.cancelOrder(this.#inst, this.#generation, clientOrderId);
  }

  markStateChanged(): void {
    this.#host.markStateChanged(this.#inst, this.#generation);
  }
}
