import { type MessageBus, Topic } from "../../bus/index.ts";
import type {
  ClientOrderId,
  ClientOrderIdGenerator,
  Clock,
  Decimal,
  InstrumentId,
  StrategyId,
  UnixMicros,
} from "../../core/index.ts";
import type { OrderSide, OrderType, ProtectionAction, ProtectionTrigger } from "../../model/index.ts";

/** Whose protection a message is about. */
interface Owner {
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
}

/** A protective order: an emulated exit (MARKET) or a native STOP_LOSS / TAKE_PROFIT with its stop price. */
export interface ProtectiveOrder {
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly stopPrice?: Decimal | undefined;
  readonly causedByReceivedAt?: UnixMicros | undefined;
}

/** What a ProtectionEvent says besides its action and owner. */
export interface ProtectionEventFields {
  readonly detail: string;
  readonly trigger?: ProtectionTrigger | undefined;
  readonly level?: Decimal | undefined;
  readonly observed?: Decimal | undefined;
  readonly quantity?: Decimal | undefined;
  readonly clientOrderId?: ClientOrderId | undefined;
}

/** Puts the protection manager's commands and events on the bus: reduce-only orders, cancels, ProtectionEvents. */
export class ProtectionPublisher {
  readonly #bus: MessageBus;
  readonly #clock: Clock;
  readonly #ids: ClientOrderIdGenerator;

  constructor(bus: MessageBus, clock: Clock, ids: ClientOrderIdGenerator) {
    this.#bus = bus;
    this.#clock = clock;
    this.#ids = ids;
  }

  /** Publishes a reduce-only SubmitOrder with a new client order id; returns the id. */
  submit(owner: Owner, order: ProtectiveOrder): ClientOrderId {
    const clientOrderId = this.#ids.next();
    this.#bus.publish(Topic.SubmitOrder, {
      kind: "SubmitOrder",
      clientOrderId,
      strategyId: owner.strategyId,
      instrumentId: owner.instrumentId,
      side: order.side,
      type: order.type,
      quantity: order.quantity,
      stopPrice: order.stopPrice,
      reduceOnly: true,
      createdAt: this.#clock.now(),
      causedByReceivedAt: order.causedByReceivedAt,
    });
    return clientOrderId;
  }

  /** Publishes a CancelOrder. */
  cancel(owner: Owner, clientOrderId: ClientOrderId): void {
    this.#bus.publish(Topic.CancelOrder, {
      kind: "CancelOrder",
      clientOrderId,
      strategyId: owner.strategyId,
      instrumentId: owner.instrumentId,
      createdAt: this.#clock.now(),
    });
  }

  /** Publishes a ProtectionEvent. */
  event(owner: Owner, action: ProtectionAction, fields: ProtectionEventFields): void {
    this.#bus.publish(Topic.Protection, {
      kind: "ProtectionEvent",
      action,
      strategyId: owner.strategyId,
      instrumentId: owner.instrumentId,
      ...fields,
      ts: this.#clock.now(),
    });
  }
}
