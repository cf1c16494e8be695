import type {
  ApiCommands,
  BookJson,
  CancelResult,
  CommandAuditEntry,
  DatabaseCommands,
  DualWriteView,
  JsonObject,
  JsonValue,
  OrderCommands,
  OrderFilter,
  OrderView,
  PanicResult,
  PortfolioQueries,
  PositionJson,
  RiskCommands,
  StrategyCommandResult,
  StrategyCommands,
  StrategyView,
  TradingStateChange,
} from "../api/index.ts";
import { type MessageBus, Topic } from "../bus/index.ts";
import {
  type ClientOrderId,
  type Clock,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  isoFromMicros,
  type StrategyId,
} from "../core/index.ts";
import type { ExecutionEngine } from "../execution/index.ts";
import {
  averageFillPrice,
  type CancelOrder,
  isTerminalStatus,
  type Order,
  OrderStatus,
  type SubmitOrder,
  type VenuePort,
} from "../model/index.ts";
import type { DesStore, DualWriteStats } from "../persistence/index.ts";
import type { BookView, Portfolio, PositionView } from "../portfolio/index.ts";
import { type RiskEngine, TradingState } from "../risk/index.ts";
import type { StrategyEngine } from "../strategy/index.ts";

/** Where command audit lines go (a pino Logger fits). */
export interface AuditLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** The running parts the operator commands act on. */
export interface ApiCommandParts {
  readonly bus: MessageBus;
  readonly clock: Clock;
  /** Undefined when DES_RISK_FILE is not set: the risk routes then answer 404. */
  readonly risk: RiskEngine | undefined;
  readonly strategies: StrategyEngine;
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  /** Asked for free and locked balances on GET /api/portfolio/balances. */
  readonly venue: Pick<VenuePort, "balances">;
  readonly log: AuditLogger;
  /** The records' store: GET /api/db and the switch of primary (absent: the database routes answer 404). */
  readonly store?: Pick<
    DesStore,
    "databases" | "switchPrimary" | "degradedReason" | "deadLetters" | "requeueDeadLetters" | "stats"
  >;
  /** Called after a strategy's parameters changed (the app stores them so they survive a restart). */
  readonly onParamsChanged?: (id: StrategyId) => void;
}

/** Audit inputs longer than this (serialized) are cut, so one request cannot flood the log. */
const MAX_AUDITED_INPUT_CHARS = 4096;

/**
 * Returns the API's `commands` facade over the real engines: the kill switch and risk limits, the
 * strategies' lifecycle and parameters, order queries and cancels (sent on the bus as CancelOrder
 * commands, exactly as strategies send them), and the portfolio. Everything it returns is plain JSON.
 */
export function apiCommands(parts: ApiCommandParts): ApiCommands {
  return {
    risk: parts.risk === undefined ? undefined : riskCommands(parts, parts.risk),
    strategies: strategyCommands(parts),
    orders: orderCommands(parts),
    portfolio: portfolioQueries(parts),
    database: parts.store === undefined ? undefined : databaseCommands(parts.store),
    audit: (entry) => auditLine(parts.log, entry),
  };
}

function databaseCommands(store: NonNullable<ApiCommandParts["store"]>): DatabaseCommands {
  return {
    view() {
      const { primary, dualWrite, postgresPool } = store.databases();
      return {
        primary,
        secondary: dualWrite?.secondary ?? null,
        dualWrite: dualWrite === undefined ? null : dualWriteView(dualWrite),
        degraded: store.degradedReason() ?? null,
        postgresPool: postgresPool === undefined ? null : { ...postgresPool },
      };
    },
    async switchPrimary(request) {
      const from = store.databases().primary;
      const result = await store.switchPrimary({
        ...(request.force === undefined ? {} : { force: request.force }),
        ...(request.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: request.drainTimeoutMs }),
      });
      return {
        from,
        primary: result.primary,
        secondary: result.secondary,
        unappliedWrites: result.unappliedWrites,
        sequences: result.sequences.map((s) => ({ table: s.table, sequence: s.sequence, nextId: s.nextId })),
      };
    },
    deadLetters() {
      return {
        deadLetteredTotal: store.stats().deadLetteredTotal,
        deadLetters: store.deadLetters().map((l) => ({
          table: l.table,
          mode: l.mode,
          row: Object.fromEntries(
            Object.entries(l.row).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]),
          ),
          error: {
            message: l.error.message,
            code: l.error.code ?? null,
            at: new Date(l.error.at).toISOString(),
          },
        })),
      };
    },
    requeueDeadLetters() {
      return { requeued: store.requeueDeadLetters() };
    },
  };
}

function dualWriteView(s: DualWriteStats): DualWriteView {
  return {
    mirroredWrites: s.mirroredWrites,
    secondaryFailures: s.secondaryFailures,
    retriedWrites: s.retriedWrites,
    pendingRetries: s.pendingRetries,
    pendingRows: s.pendingRows,
    diverged: s.diverged,
    divergedReason: s.divergedReason ?? null,
    unmirroredWrites: s.unmirroredWrites,
    lastError: s.lastError ?? null,
    switches: s.switches,
    primaryMissingWrites: s.primaryMissingWrites,
  };
}

function riskCommands(parts: ApiCommandParts, risk: RiskEngine): RiskCommands {
  const configJson = (): JsonObject => toJson(risk.config) as JsonObject;
  return {
    view() {
      const snap = risk.snapshot();
      const ids = parts.strategies.ids();
      const daily: Record<string, { trades: number; realizedPnl: string }> = {};
      for (const id of ids) daily[id] = { trades: 0, realizedPnl: "0" };
      for (const [id, c] of Object.entries(snap.strategies)) daily[id] = c;
      return {
        tradingState: {
          global: snap.tradingState.global,
          strategies: snap.tradingState.strategies,
          effective: Object.fromEntries(ids.map((id) => [id, risk.tradingState(id)])),
        },
        daily: { dayStart: isoFromMicros(snap.dayStart), account: snap.account, strategies: daily },
        config: configJson(),
        denials: Object.fromEntries(risk.denialCounts()),
      };
    },
    setTradingState(request): TradingStateChange {
      const id = request.strategyId;
      if (id !== undefined) knownStrategy(parts, id);
      const from =
        id === undefined
          ? risk.tradingState()
          : (risk.snapshot().tradingState.strategies[id] ?? TradingState.Active);
      risk.setTradingState(request.state, request.reason, id as StrategyId | undefined);
      return {
        scope: id === undefined ? "global" : "strategy",
        ...(id === undefined ? {} : { strategyId: id }),
        from,
        to: request.state,
        reason: request.reason,
        changed: from !== request.state,
      };
    },
    replaceConfig(config) {
      risk.setConfig(config);
      return { config: configJson() };
    },
  };
}

function strategyCommands(parts: ApiCommandParts): StrategyCommands {
  const { strategies } = parts;
  const view = (id: string): StrategyView => strategyView(parts, id as StrategyId);
  const result = (id: string, previousStatus: string): StrategyCommandResult => ({
    strategyId: id,
    previousStatus,
    strategy: view(id),
  });
  return {
    list: () => strategies.ids().map((id) => view(id)),
    get: view,
    pause(id, reason) {
      const before = strategies.status(id as StrategyId);
      strategies.pause(id as StrategyId, reason);
      return result(id, before);
    },
    async resume(id) {
      const before = strategies.status(id as StrategyId);
      await strategies.resume(id as StrategyId);
      return result(id, before);
    },
    async stop(id, reason) {
      const before = strategies.status(id as StrategyId);
      await strategies.stop(id as StrategyId, reason);
      return result(id, before);
    },
    async panic(id): Promise<PanicResult> {
      const before = strategies.status(id as StrategyId);
      const cancels: string[] = [];
      const flatten: PanicResult["flattenOrders"][number][] = [];
      // The panic's commands travel on the bus; these listeners only report what it sent.
      const unsubscribe = [
        parts.bus.subscribe(
          Topic.CancelOrder,
          (c: CancelOrder) => {
            if (c.strategyId === id) cancels.push(c.clientOrderId);
          },
          "api.panic-report",
        ),
        parts.bus.subscribe(
          Topic.SubmitOrder,
          (o: SubmitOrder) => {
            if (o.strategyId !== id) return;
            const { clientOrderId, instrumentId, side } = o;
            flatten.push({ clientOrderId, instrumentId, side, quantity: o.quantity.toString() });
          },
          "api.panic-report",
        ),
      ];
      try {
        await strategies.panic(id as StrategyId);
      } finally {
        for (const u of unsubscribe) u();
      }
      return { ...result(id, before), cancelsRequested: cancels, flattenOrders: flatten };
    },
    updateParams(id, params) {
      const before = strategies.status(id as StrategyId);
      strategies.updateParams(id as StrategyId, params);
      parts.onParamsChanged?.(id as StrategyId);
      return result(id, before);
    },
  };
}

function strategyView(parts: ApiCommandParts, id: StrategyId): StrategyView {
  const config = parts.strategies.config(id);
  const s = parts.strategies.instanceStats(id);
  return {
    id,
    type: config.strategy,
    instrument: config.instrument,
    interval: config.interval,
    mode: config.mode,
    enabled: config.enabled,
    status: s.status,
    params: toJson(parts.strategies.params(id)),
    tradingState: parts.risk?.tradingState(id) ?? null,
    openOrders: parts.execution.openOrders(id).length,
    stats: {
      eventsProcessed: s.eventsProcessed,
      errors: s.errors,
      droppedEvents: s.droppedEvents,
      skippedEvents: s.skippedEvents,
      signals: s.signals,
      signalsWithoutOrder: s.signalsWithoutOrder,
      orders: s.orders,
      warmupIgnored: s.warmupIgnored,
      lateActions: s.lateActions,
      inFlight: s.inFlight,
      mailboxDepth: s.mailboxDepth,
      stateSaveErrors: s.stateSaveErrors,
      lastError: s.lastError ?? null,
    },
  };
}

function orderCommands(parts: ApiCommandParts): OrderCommands {
  const { execution } = parts;
  const find = (id: string): Readonly<Order> => {
    const order = execution.order(id as ClientOrderId);
    if (order === undefined) {
      throw new DesError(
        ErrorCode.UnknownOrder,
        `unknown order ${JSON.stringify(id)}: execution does not track it (never seen, or closed long ago and forgotten)`,
        { clientOrderId: id },
      );
    }
    return order;
  };
  const requestCancel = (order: Readonly<Order>): CancelResult => {
    if (order.status === OrderStatus.PendingCancel)
      return { clientOrderId: order.clientOrderId, requested: false, status: order.status };
    parts.bus.publish(Topic.CancelOrder, {
      kind: "CancelOrder",
      clientOrderId: order.clientOrderId,
      strategyId: order.strategyId,
      instrumentId: order.instrumentId,
      createdAt: parts.clock.now(),
    });
    return { clientOrderId: order.clientOrderId, requested: true, status: order.status };
  };
  const open = (filter: OrderFilter): readonly Readonly<Order>[] =>
    execution.openOrders(
      filter.strategyId as StrategyId | undefined,
      filter.instrumentId as InstrumentId | undefined,
    );
  return {
    open: (filter) => open(filter).map(orderView),
    get: (id) => orderView(find(id)),
    cancel(id) {
      const order = find(id);
      if (isTerminalStatus(order.status)) {
        throw new DesError(
          ErrorCode.InvalidOrderTransition,
          `order ${JSON.stringify(id)} is ${order.status}: there is nothing to cancel`,
          { clientOrderId: id, status: order.status },
        );
      }
      return requestCancel(order);
    },
    cancelAll(filter) {
      const orders = open(filter);
      // Orders may belong to no running strategy (adopted at start-up): only an id nothing carries is unknown.
      if (filter.strategyId !== undefined && orders.length === 0) knownStrategy(parts, filter.strategyId);
      const results = orders.map(requestCancel);
      return { filter, requested: results.filter((r) => r.requested).length, orders: results };
    },
  };
}

function orderView(order: Readonly<Order>): OrderView {
  return {
    clientOrderId: order.clientOrderId,
    strategyId: order.strategyId,
    instrumentId: order.instrumentId,
    side: order.side,
    type: order.type,
    timeInForce: order.timeInForce,
    status: order.status,
    quantity: order.quantity.toString(),
    price: order.price?.toString() ?? null,
    stopPrice: order.stopPrice?.toString() ?? null,
    filledQty: order.filledQty.toString(),
    averageFillPrice: averageFillPrice(order as Order)?.toString() ?? null,
    venueOrderId: order.venueOrderId ?? null,
    createdAt: isoFromMicros(order.createdAt),
    updatedAt: isoFromMicros(order.updatedAt),
  };
}

function portfolioQueries(parts: ApiCommandParts): PortfolioQueries {
  return {
    view() {
      const snap = parts.portfolio.snapshot();
      return {
        ts: isoFromMicros(snap.ts),
        accounts: snap.accounts.map(bookJson),
        strategies: snap.strategies.map(bookJson),
      };
    },
    async venueBalances() {
      const balances = await parts.venue.balances();
      return balances.map((b) => ({ asset: b.asset, free: b.free.toString(), locked: b.locked.toString() }));
    },
  };
}

function bookJson(book: BookView): BookJson {
  return {
    owner: book.owner,
    positions: book.positions.map(positionJson),
    balances: decimals(book.cash),
    equity: decimals(book.equity),
    realizedPnl: decimals(book.realizedPnl),
    unrealizedPnl: decimals(book.unrealizedPnl),
    fees: decimals(book.fees),
    exposure: decimals(book.exposure),
  };
}

function positionJson(p: PositionView): PositionJson {
  return {
    instrumentId: p.instrumentId,
    side: p.quantity.isPositive() ? "LONG" : p.quantity.isNegative() ? "SHORT" : "FLAT",
    quantity: p.quantity.toString(),
    averagePrice: p.averagePrice.toString(),
    costBasis: p.costBasis.toString(),
    realizedPnl: p.realizedPnl.toString(),
    unrealizedPnl: p.unrealizedPnl.toString(),
    markPrice: p.markPrice?.toString() ?? null,
    commissions: decimals(p.commissions),
    fillCount: p.fillCount,
    updatedAt: p.updatedAt === undefined ? null : isoFromMicros(p.updatedAt),
  };
}

function decimals(record: Readonly<Record<string, Decimal>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) out[k] = v.toString();
  return out;
}

/** Throws DES_ERR_UNKNOWN_STRATEGY (404) unless the strategy engine runs this id. */
function knownStrategy(parts: ApiCommandParts, id: string): void {
  if (!parts.strategies.ids().includes(id as StrategyId)) {
    throw new DesError(ErrorCode.UnknownStrategy, `unknown strategy instance ${JSON.stringify(id)}`, { id });
  }
}

/** Returns a JSON value: Decimals and bigints as strings, undefined fields left out. */
function toJson(value: unknown): JsonValue {
  if (value instanceof Decimal || typeof value === "bigint") return value.toString();
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  return null;
}

/** Writes one audit line: info when the command ran, warn when it was refused or failed. */
function auditLine(log: AuditLogger, entry: CommandAuditEntry): void {
  let input = entry.input;
  if (input !== undefined) {
    const text = JSON.stringify(input) ?? "";
    if (text.length > MAX_AUDITED_INPUT_CHARS)
      input = { truncated: true, chars: text.length, head: text.slice(0, MAX_AUDITED_INPUT_CHARS) };
  }
  const fields = { audit: "api-command", ...entry, ...(input === undefined ? {} : { input }) };
  if (entry.outcome === "ok") log.info(fields, `api command ${entry.command}`);
  else log.warn(fields, `api command ${entry.command} ${entry.outcome}`);
}
