/**
 * DES's order path wired to the real Binance adapter, as the app wires it (src/app/des-app.ts with
 * DES_VENUE=binance): openBinanceConnection (REST client, pool of 8), binanceVenueSetup
 * (BinanceVenue + BinanceUserDataStream on the WebSocket API, balances read from the account), then
 * bus -> ExecutionEngine (validation, RiskEngine, order queue, AsyncExecutor bounded at
 * `concurrency`) -> venue -> OrderFilled -> Portfolio -> PositionChanged.
 *
 * `submit` publishes one SubmitOrder and remembers when; the stack reports each order's end: "filled"
 * when the PositionChanged of its last fill arrives, or refused (denied, rejected, expired, canceled).
 */

import { Writable } from "node:stream";
import { openBinanceConnection } from "../../src/app/binance-connection.ts";
import { createLogger, type DesConfig, loadConfig } from "../../src/app/index.ts";
import { portfolioRiskView } from "../../src/app/portfolio-risk-view.ts";
import { binanceVenueSetup, type VenueSetup } from "../../src/app/venue-setup.ts";
import { MessageBus, Topic } from "../../src/bus/index.ts";
import {
  type ClientOrderId,
  clientOrderId,
  type Decimal,
  type InstrumentId,
  LiveClock,
  type StrategyId,
} from "../../src/core/index.ts";
import { ExecutionEngine } from "../../src/execution/index.ts";
import type { Instrument, OrderEvent, OrderSide, PositionChanged } from "../../src/model/index.ts";
import { parseExchangeInfo } from "../../src/model/index.ts";
import { Portfolio } from "../../src/portfolio/index.ts";
import { RiskEngine } from "../../src/risk/index.ts";
import { DOCS_HMAC_API_KEY, DOCS_HMAC_SECRET_KEY } from "../../src/sim/index.ts";
import { benchRiskConfig } from "./bench-risk-config.ts";

/** How an order ended. */
export type OrderEnd = "filled" | "refused";

/** Where a stack runs and how it is bounded. */
export interface DesBinanceStackOptions {
  /** The simulator's base URL, http://127.0.0.1:<port>. */
  readonly restUrl: string;
  readonly symbol: string;
  /** The executor's bound on orders in flight (DES_EXECUTOR_CONCURRENCY). */
  readonly concurrency: number;
  /** Prefix of the client order ids, unique per stack (Binance: letters, digits, - and _). */
  readonly idPrefix: string;
  /** Called when an order ends, with the milliseconds from its publish to its end. */
  readonly onEnd: (end: OrderEnd, ms: number) => void;
}

/** Warnings the stack's logger received (the first few kept) and their count. */
export interface StackLog {
  warnings: number;
  readonly first: string[];
}

/**
 * One DES order path on the Binance venue. Build with `open`, send with `submit`, end with `close`.
 * Orders are filled-or-refused; a PositionChanged is matched to its fill through the bus's order:
 * each OrderFilled's PositionChanged is delivered after it and in the same order (breadth-first bus).
 */
export class DesBinanceStack {
  readonly bus = new MessageBus();
  readonly clock = new LiveClock();
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly risk: RiskEngine;
  readonly venueSetup: VenueSetup;
  readonly instrumentId: InstrumentId;
  readonly log: StackLog;
  readonly #options: DesBinanceStackOptions;
  readonly #close: () => Promise<void>;
  readonly #sentAt = new Map<ClientOrderId, number>();
  /** Fills whose PositionChanged is still to come, oldest first: [client order id, last fill of it]. */
  readonly #fillQueue: Array<[ClientOrderId, boolean]> = [];
  #seq = 0;
  #positionChanges = 0;
  #fills = 0;
  readonly #refusals = new Map<string, number>();

  private constructor(
    options: DesBinanceStackOptions,
    parts: { venueSetup: VenueSetup; instrument: Instrument; log: StackLog; close: () => Promise<void> },
  ) {
    this.#options = options;
    this.venueSetup = parts.venueSetup;
    this.instrumentId = parts.instrument.id;
    this.log = parts.log;
    this.#close = parts.close;
    const venue = parts.venueSetup.venue;
    this.risk = new RiskEngine({ clock: this.clock, config: benchRiskConfig() });
    let portfolio: Portfolio | undefined;
    const instruments = new Map([[parts.instrument.id, parts.instrument]]);
    this.execution = new ExecutionEngine({
      bus: this.bus,
      clock: this.clock,
      venue,
      onProblem: (p) => this.#warn(`execution problem ${p.code}: ${p.message}`),
      // The app's own risk view (src/app/portfolio-risk-view.ts), so the bench measures what DES runs.
      risk: { engine: this.risk, view: portfolioRiskView(() => portfolio!, venue.accountId, instruments) },
      executor: { maxInFlight: options.concurrency, timeoutMs: 10_000 },
    });
    portfolio = new Portfolio({
      bus: this.bus,
      clock: this.clock,
      instruments: [parts.instrument],
      initialCash: { [venue.accountId]: parts.venueSetup.initialCash },
      onProblem: (p) => this.#warn(`portfolio problem ${p.code}: ${p.message}`),
    });
    this.portfolio = portfolio;
    this.bus.subscribe(Topic.OrderEvent, (e: OrderEvent) => this.#onOrderEvent(e), "bench.order-event");
    this.bus.subscribe(Topic.PositionChanged, (e: PositionChanged) => this.#onPositionChanged(e), "bench.pc");
  }

  /** Connects to the simulator as the app does (exchangeInfo, account, user data stream) and starts. */
  static async open(options: DesBinanceStackOptions): Promise<DesBinanceStack> {
    const log: StackLog = { warnings: 0, first: [] };
    const sink = new Writable({
      write(chunk, _encoding, done) {
        log.warnings++;
        if (log.first.length < 5) log.first.push(String(chunk).slice(0, 400));
        done();
      },
    });
    const logger = createLogger("warn", sink);
    const config = benchConfig(options);
    const connection = openBinanceConnection(config, logger, { needsCredentials: true });
    // exchangeInfo also hands the simulator's raised rate limits to the REST client, as at app start.
    const instruments = parseExchangeInfo(await connection.rest.exchangeInfo([options.symbol]));
    const instrument = [...instruments.values()][0];
    if (instrument === undefined) throw new Error(`the simulator does not list ${options.symbol}`);
    const venueSetup = await binanceVenueSetup(config, connection, instruments, logger);
    await venueSetup.start();
    const stack = new DesBinanceStack(options, {
      venueSetup,
      instrument,
      log,
      close: async () => {
        await venueSetup.stop();
        await connection.rest.close();
      },
    });
    stack.execution.start();
    stack.portfolio.start();
    return stack;
  }

  /** Gives the portfolio (and so the risk checks of MARKET orders) a mark price. */
  mark(price: Decimal): void {
    this.portfolio.updateMark(this.instrumentId, price, this.clock.now());
  }

  /** Publishes one MARKET order of `quantity` for the strategy; returns at once (open loop). */
  submit(strategyId: StrategyId, side: OrderSide, quantity: Decimal): void {
    const id = clientOrderId(`${this.#options.idPrefix}${this.#seq++}`);
    this.#sentAt.set(id, performance.now());
    this.bus.publish(Topic.SubmitOrder, {
      kind: "SubmitOrder",
      clientOrderId: id,
      strategyId,
      instrumentId: this.instrumentId,
      side,
      type: "MARKET",
      quantity,
      createdAt: this.clock.now(),
    });
  }

  /** Orders published and not yet ended. */
  get outstanding(): number {
    return this.#sentAt.size;
  }

  /** Counters for the result line. */
  counts(): Record<string, unknown> {
    const venue = this.venueSetup.venue as unknown as { stats?: () => Record<string, number> };
    const v = venue.stats?.();
    return {
      sent: this.#seq,
      fills: this.#fills,
      positionChanges: this.#positionChanges,
      refusals: Object.fromEntries(this.#refusals),
      outstanding: this.#sentAt.size,
      maxInFlightSeen: this.execution.executorStats().maxInFlightSeen,
      venueDuplicateFillsDropped: v?.["duplicateFillsDropped"],
      venueUnknownOutcomes: v?.["unknownOutcomes"],
      warnings: this.log.warnings,
    };
  }

  /** Stops the engines, the user data stream and the REST pool. */
  async close(): Promise<void> {
    this.execution.stop();
    this.portfolio.stop();
    await this.#close();
  }

  #onOrderEvent(e: OrderEvent): void {
    if (e.kind === "OrderFilled") {
      this.#fills++;
      this.#fillQueue.push([e.clientOrderId, e.orderStatus === "FILLED"]);
      return;
    }
    if (
      e.kind === "OrderDenied" ||
      e.kind === "OrderRejected" ||
      e.kind === "OrderExpired" ||
      e.kind === "OrderCanceled"
    ) {
      const reason = "reason" in e && typeof e.reason === "string" ? `${e.kind}: ${e.reason}` : e.kind;
      this.#refusals.set(reason, (this.#refusals.get(reason) ?? 0) + 1);
      this.#end(e.clientOrderId, "refused");
    }
  }

  #onPositionChanged(_e: PositionChanged): void {
    this.#positionChanges++;
    const head = this.#fillQueue.shift();
    if (head === undefined) {
      this.#warn("a PositionChanged without a fill before it");
      return;
    }
    if (head[1]) this.#end(head[0], "filled");
  }

  #end(id: ClientOrderId, end: OrderEnd): void {
    const sentAt = this.#sentAt.get(id);
    if (sentAt === undefined) return;
    this.#sentAt.delete(id);
    this.#options.onEnd(end, performance.now() - sentAt);
  }

  #warn(text: string): void {
    this.log.warnings++;
    if (this.log.first.length < 5) this.log.first.push(text);
  }
}

/** The app's configuration for a Binance venue on the simulator, read as loadConfig reads the environment. */
function benchConfig(options: DesBinanceStackOptions): DesConfig {
  const ws = options.restUrl.replace(/^http/, "ws");
  return loadConfig({
    env: {
      DES_VENUE: "binance",
      DES_EXECUTOR_CONCURRENCY: String(options.concurrency),
      BINANCE_ENV: "custom",
      BINANCE_REST_URL: options.restUrl,
      BINANCE_STREAM_URL: ws,
      BINANCE_WS_API_URL: `${ws}/ws-api/v3`,
      BINANCE_API_KEY: DOCS_HMAC_API_KEY,
      BINANCE_SECRET_KEY: DOCS_HMAC_SECRET_KEY,
    },
  });
}
