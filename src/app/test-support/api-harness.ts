/**
 * The operator API over real engines on one bus (paper venue, execution, portfolio, risk,
 * strategies) with a test clock, for the route tests: what a command does is what the engines do.
 */
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { z } from "zod";
import { type ApiServer, buildApiServer, type CommandAuditEntry } from "../../api/index.ts";
import { MessageBus, Topic } from "../../bus/index.ts";
import {
  asMicros,
  clientOrderId,
  Decimal,
  dec,
  type InstrumentId,
  instrumentId,
  type StrategyId,
  strategyId,
  TestClock,
  tradeId,
} from "../../core/index.ts";
import { ExecutionEngine } from "../../execution/index.ts";
import {
  type Instrument,
  type OrderEvent,
  type OrderSide,
  type OrderType,
  parseInstrument,
} from "../../model/index.ts";
import { Portfolio } from "../../portfolio/index.ts";
import { RiskEngine, type RiskEvent } from "../../risk/index.ts";
import { type StrategyDefinition, StrategyEngine, StrategyRegistry } from "../../strategy/index.ts";
import { PaperVenue } from "../../venues/paper/index.ts";
import { type ApiCommandParts, apiCommands } from "../api-commands.ts";

export const BTCUSDT: InstrumentId = instrumentId("BTCUSDT");
export const S1: StrategyId = strategyId("s1");
export const S2: StrategyId = strategyId("s2");
/** A token long enough for DES_API_TOKEN. */
export const TOKEN = "test-token-0123456789abcdef";
const T0 = Date.UTC(2024, 0, 1) * 1000;

const crossParams = z
  .object({
    fast: z.number().int().positive(),
    slow: z.number().int().positive(),
    quantity: z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal string such as "0.01"'),
  })
  .strict()
  .refine((p) => p.fast < p.slow, { message: "expected fast < slow", path: ["fast"] });

/**
 * A strategy that only holds its parameters (the tests send orders for it on the bus): enough for
 * the lifecycle, parameter updates and panic.
 */
const quietDefinition: StrategyDefinition<z.infer<typeof crossParams>> = {
  name: "test_cross",
  description: "holds parameters, trades only when the test says so",
  params: crossParams,
  subscriptions: (_p, interval) => ({ bars: [interval] }),
  create: () => ({ onBar: () => {}, updateParams: () => {} }),
};

/** What a harness is built with. */
export interface ApiHarnessOptions {
  /** The risk config; false = no risk engine (DES_RISK_FILE not set). Default: {} (no limits). */
  readonly risk?: unknown;
  readonly apiToken?: string;
  readonly host?: string;
  /** The records' store behind GET /api/db and the switch of primary (default: none, those routes 404). */
  readonly store?: ApiCommandParts["store"];
}

/** The engines, the API server and helpers to drive them. */
export interface ApiHarness {
  readonly bus: MessageBus;
  readonly clock: TestClock;
  readonly venue: PaperVenue;
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly risk: RiskEngine | undefined;
  readonly strategies: StrategyEngine;
  readonly server: ApiServer;
  readonly audits: CommandAuditEntry[];
  readonly orderEvents: OrderEvent[];
  readonly riskEvents: RiskEvent[];
  /** Sends a request with `Authorization: Bearer TOKEN` when the harness has a token. */
  call(method: InjectOptions["method"], url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  /** Publishes a SubmitOrder of a strategy, as the strategy engine does. */
  submit(id: string, opts?: SubmitOptions): void;
  /** Publishes a market trade (the paper venue fills and the portfolio marks on it). */
  trade(price: string): void;
  /** Lets execution and the venue settle. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** A SubmitOrder's fields (defaults: s1, BUY MARKET 0.1). */
export interface SubmitOptions {
  readonly strategyId?: StrategyId;
  readonly side?: OrderSide;
  readonly type?: OrderType;
  readonly quantity?: string;
  readonly price?: string;
}

/** Returns BTCUSDT with Binance's filters: tick 0.01, step 0.00001, min notional 5. */
export function btcusdt(): Instrument {
  return parseInstrument({
    symbol: "BTCUSDT",
    status: "TRADING",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    filters: [
      { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000.00", tickSize: "0.01" },
      { filterType: "LOT_SIZE", minQty: "0.00001", maxQty: "9000.00000", stepSize: "0.00001" },
      { filterType: "NOTIONAL", minNotional: "5.00" },
    ],
  });
}

/** Builds and starts the engines (strategies s1 and s2, test_cross on BTCUSDT 1m) and the API. */
export async function apiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const clock = new TestClock(T0);
  const bus = new MessageBus();
  const instrument = btcusdt();
  const venue = new PaperVenue({ clock, instruments: [instrument], initialBalances: { USDT: "100000" } });
  const portfolio = new Portfolio({
    bus,
    clock,
    instruments: [instrument],
    initialCash: { [venue.accountId]: { USDT: "100000" } },
  });
  const riskEvents: RiskEvent[] = [];
  const risk =
    options.risk === false
      ? undefined
      : new RiskEngine({ clock, config: options.risk ?? {}, onEvent: (e) => riskEvents.push(e) });
  const execution = new ExecutionEngine({
    bus,
    clock,
    venue,
    risk:
      risk === undefined
        ? undefined
        : {
            engine: risk,
            view: {
              position: (s, i) => portfolio.position(s, i),
              exposure: (s) =>
                sum((s === undefined ? portfolio.account(venue.accountId) : portfolio.strategy(s))?.exposure),
              markPrice: (i) => portfolio.markPrice(i),
              instrument: (i) => (i === instrument.id ? instrument : undefined),
            },
          },
  });
  const registry = new StrategyRegistry().register(quietDefinition);
  const strategies = new StrategyEngine({
    bus,
    clock,
    registry,
    positions: portfolio,
    openOrders: { openOrders: (s, i) => execution.openOrders(s, i) },
    instruments: { instrument: (i) => (i === instrument.id ? instrument : undefined) },
    stateSaveIntervalMs: 0,
  });
  for (const id of [S1, S2]) {
    strategies.add({
      id,
      strategy: "test_cross",
      instrument: "BTCUSDT",
      interval: "1m",
      params: { fast: 2, slow: 3, quantity: "0.01" },
    });
  }
  const orderEvents: OrderEvent[] = [];
  bus.subscribe(Topic.OrderEvent, (e) => orderEvents.push(e), "test.order-events");
  portfolio.start();
  execution.start();
  await strategies.startAll();

  const audits: CommandAuditEntry[] = [];
  const log = {
    info: (fields: object) => audits.push(fields as CommandAuditEntry),
    warn: (fields: object) => audits.push(fields as CommandAuditEntry),
  };
  const server = buildApiServer(
    {
      health: () => ({ status: "ok", uptimeS: 0, checks: {} }),
      metricsJson: () => ({}),
      metricsPrometheus: () => "",
      commands: apiCommands({
        bus,
        clock,
        risk,
        strategies,
        execution,
        portfolio,
        venue,
        log,
        ...(options.store === undefined ? {} : { store: options.store }),
      }),
    },
    { apiToken: options.apiToken, host: options.host },
  );
  let tick = 0;
  return {
    bus,
    clock,
    venue,
    execution,
    portfolio,
    risk,
    strategies,
    server,
    audits,
    orderEvents,
    riskEvents,
    call(method, url, payload) {
      const headers: Record<string, string> = {};
      if (options.apiToken !== undefined) headers["authorization"] = `Bearer ${options.apiToken}`;
      return server.app.inject({
        method,
        url,
        headers,
        ...(payload === undefined ? {} : { payload: payload as InjectOptions["payload"] }),
      });
    },
    submit(id, opts = {}) {
      bus.publish(Topic.SubmitOrder, {
        kind: "SubmitOrder",
        clientOrderId: clientOrderId(id),
        strategyId: opts.strategyId ?? S1,
        instrumentId: BTCUSDT,
        side: opts.side ?? "BUY",
        type: opts.type ?? "MARKET",
        quantity: dec(opts.quantity ?? "0.1"),
        price: opts.price === undefined ? undefined : dec(opts.price),
        createdAt: clock.now(),
      });
    },
    trade(price) {
      tick++;
      clock.advance(1000);
      bus.publish(Topic.Trade, {
        kind: "trade",
        instrumentId: BTCUSDT,
        tradeId: tradeId(tick),
        price: dec(price),
        quantity: dec("10"),
        aggressor: "SELL",
        eventTime: asMicros(clock.now()),
        receivedAt: asMicros(clock.now()),
      });
    },
    settle: () => execution.idle(),
    async close() {
      await server.close();
      await strategies.close();
      execution.stop();
      portfolio.stop();
    },
  };
}

function sum(values: Readonly<Record<string, Decimal>> | undefined): Decimal {
  let total = Decimal.ZERO;
  for (const v of Object.values(values ?? {})) total = total.add(v);
  return total;
}
