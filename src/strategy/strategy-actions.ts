import { type MessageBus, Topic } from "../bus/index.ts";
import {
  type ClientOrderId,
  type ClientOrderIdGenerator,
  type Clock,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  type UnixMicros,
} from "../core/index.ts";
import type { Instrument, SubmitOrder } from "../model/index.ts";
import { checkOrderRequest } from "./check-order-request.ts";
import type { ContextHost } from "./instance-context.ts";
import type { OpenOrderView, OrderRequest, SignalRequest } from "./strategy.ts";
import type { StrategyInstance } from "./strategy-instance.ts";
import type { InstrumentReader, OpenOrdersReader, PositionReader } from "./strategy-ports.ts";

/** What turning strategy actions into bus messages needs. */
export interface StrategyActionsOptions {
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly orderIds: ClientOrderIdGenerator;
  readonly positions: PositionReader | undefined;
  readonly openOrders: OpenOrdersReader | undefined;
  readonly instruments: InstrumentReader | undefined;
  readonly onTickToSignal: ((micros: number) => void) | undefined;
}

/**
 * Carries out what strategies ask through their context: signals become Signal events (and BUY /
 * SELL with a positive quantity a MARKET SubmitOrder), orders and cancels become commands. Actions
 * of an instance that is not running, is panicking, or come from an abandoned hook (stale
 * generation) are ignored and counted as late; those made during warm-up are ignored and counted
 * apart. A malformed request throws, which fails the hook that made it.
 */
export class StrategyActions implements ContextHost {
  readonly #bus: MessageBus;
  readonly #clock: Clock;
  readonly #orderIds: ClientOrderIdGenerator;
  readonly #positions: PositionReader | undefined;
  readonly #openOrders: OpenOrdersReader | undefined;
  readonly #instruments: InstrumentReader | undefined;
  readonly #onTickToSignal: ((micros: number) => void) | undefined;

  constructor(options: StrategyActionsOptions) {
    this.#bus = options.bus;
    this.#clock = options.clock;
    this.#orderIds = options.orderIds;
    this.#positions = options.positions;
    this.#openOrders = options.openOrders;
    this.#instruments = options.instruments;
    this.#onTickToSignal = options.onTickToSignal;
  }

  instrument(id: InstrumentId): Instrument | undefined {
    return this.#instruments?.instrument(id);
  }

  position(strategyId: StrategyInstance["id"], id: InstrumentId): Decimal {
    return this.#positions?.position(strategyId, id) ?? Decimal.ZERO;
  }

  openOrders(strategyId: StrategyInstance["id"], id: InstrumentId): readonly OpenOrderView[] {
    return this.#openOrders?.openOrders(strategyId, id) ?? [];
  }

  signal(inst: StrategyInstance, generation: number, request: SignalRequest): void {
    const action = request?.action;
    if (action !== "BUY" && action !== "SELL" && action !== "HOLD") {
      throw new DesError(
        ErrorCode.StrategyFailed,
        `strategy "${inst.id}": signal action must be BUY, SELL or HOLD, got ${JSON.stringify(action)}`,
        { strategyId: inst.id },
      );
    }
    if (typeof request.instrumentId !== "string") {
      throw new DesError(ErrorCode.StrategyFailed, `strategy "${inst.id}": signal needs an instrumentId`, {
        strategyId: inst.id,
      });
    }
    if (!this.#accepts(inst, generation)) return;
    const now = this.#clock.now();
    inst.signals++;
    this.#bus.publish(Topic.Signal, {
      kind: "Signal",
      strategyId: inst.id,
      instrumentId: request.instrumentId,
      action,
      reason: String(request.reason ?? ""),
      ts: now,
    });
    const receivedAt = inst.receivedAt;
    if (this.#onTickToSignal !== undefined && receivedAt !== undefined) {
      this.#onTickToSignal((performance.timeOrigin + performance.now()) * 1000 - receivedAt);
    }
    // HOLD is a decision to record, never an order.
    if (action === "HOLD") return;
    const quantity = request.quantity;
    if (!(quantity instanceof Decimal) || !quantity.isPositive()) {
      inst.signalsWithoutOrder++;
      return;
    }
    this.#publishOrder(inst, request.instrumentId, action, "MARKET", quantity, undefined, now, undefined);
  }

  submitOrder(
    inst: StrategyInstance,
    generation: number,
    request: OrderRequest,
    clientOrderId: ClientOrderId | undefined,
  ): ClientOrderId | undefined {
    checkOrderRequest(inst.id, request);
    if (!this.#accepts(inst, generation)) return undefined;
    return this.#publishOrder(
      inst,
      request.instrumentId,
      request.side,
      request.type,
      request.quantity,
      request,
      this.#clock.now(),
      clientOrderId,
    );
  }

  cancelOrder(inst: StrategyInstance, generation: number, clientOrderId: ClientOrderId): void {
    if (typeof clientOrderId !== "string") {
      throw new DesError(
        ErrorCode.StrategyFailed,
        `strategy "${inst.id}": cancelOrder needs a client order id`,
        {
          strategyId: inst.id,
        },
      );
    }
    if (!this.#accepts(inst, generation)) return;
    this.#bus.publish(Topic.CancelOrder, {
      kind: "CancelOrder",
      clientOrderId,
      strategyId: inst.id,
      instrumentId: inst.orderInstruments.get(clientOrderId) ?? inst.config.instrument,
      createdAt: this.#clock.now(),
    });
  }

  markStateChanged(inst: StrategyInstance, generation: number): void {
    if (generation === inst.generation) inst.dirty = true;
    else inst.lateActions++;
  }

  /**
   * Sends, for every instrument the instance trades, a cancel for each of its open orders and a
   * reduce-only market order that flattens its position: the panic button, through the normal
   * command topics.
   */
  panicOrders(inst: StrategyInstance): void {
    const id = inst.id;
    const now = this.#clock.now();
    const instruments = new Set<InstrumentId>([inst.config.instrument, ...inst.tradedInstruments]);
    for (const instrumentId of instruments) {
      // Without an open-orders reader, the orders the engine itself sent and saw no end of.
      const open: readonly { clientOrderId: ClientOrderId }[] =
        this.#openOrders !== undefined
          ? this.#openOrders.openOrders(id, instrumentId)
          : [...inst.orderInstruments]
              .filter(([, i]) => i === instrumentId)
              .map(([clientOrderId]) => ({ clientOrderId }));
      for (const o of open) {
        this.#bus.publish(Topic.CancelOrder, {
          kind: "CancelOrder",
          clientOrderId: o.clientOrderId,
          strategyId: id,
          instrumentId,
          createdAt: now,
        });
      }
      const position = this.position(id, instrumentId);
      if (position.isZero()) continue;
      const clientOrderId = this.#orderIds.next();
      inst.orders++;
      inst.trackOrder(clientOrderId, instrumentId, "MARKET");
      this.#bus.publish(Topic.SubmitOrder, {
        kind: "SubmitOrder",
        clientOrderId,
        strategyId: id,
        instrumentId,
        side: position.isPositive() ? "SELL" : "BUY",
        type: "MARKET",
        quantity: position.abs(),
        reduceOnly: true,
        createdAt: now,
      });
    }
  }

  /** Returns false (and counts) when an action must be ignored. */
  #accepts(inst: StrategyInstance, generation: number): boolean {
    if (
      generation !== inst.generation ||
      inst.panicking ||
      (inst.phase !== "RUNNING" && inst.phase !== "STOPPING")
    ) {
      inst.lateActions++;
      return false;
    }
    if (inst.warming) {
      inst.warmupIgnored++;
      return false;
    }
    return true;
  }

  #publishOrder(
    inst: StrategyInstance,
    instrumentId: InstrumentId,
    side: SubmitOrder["side"],
    type: SubmitOrder["type"],
    quantity: Decimal,
    request: OrderRequest | undefined,
    now: UnixMicros,
    givenId: ClientOrderId | undefined,
  ): ClientOrderId {
    const clientOrderId = givenId ?? this.#orderIds.next();
    const command: SubmitOrder = {
      kind: "SubmitOrder",
      clientOrderId,
      strategyId: inst.id,
      instrumentId,
      side,
      type,
      quantity,
      price: request?.price,
      stopPrice: request?.stopPrice,
      timeInForce: request?.timeInForce,
      createdAt: now,
      causedByReceivedAt: inst.receivedAt as UnixMicros | undefined,
    };
    inst.orders++;
    inst.trackOrder(clientOrderId, instrumentId, type);
    this.#bus.publish(Topic.SubmitOrder, command);
    return clientOrderId;
  }
}
