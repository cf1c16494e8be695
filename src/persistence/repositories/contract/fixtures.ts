import {
  type AccountId,
  accountId,
  type ClientOrderId,
  clientOrderId,
  type Decimal,
  dec,
  instrumentId,
  strategyId,
  tradeId,
  type UnixMicros,
  venueOrderId,
} from "../../../core/index.ts";
import type { OrderEvent, OrderFilled, OrderStatus } from "../../../model/index.ts";
import type { BalanceRecord } from "../balance-repository.ts";
import type { PositionRecord } from "../position-repository.ts";
import { SMALL_WRITE_ROWS } from "../write-rows.ts";

/** Builders of the records and events the contract suite writes. */

/** A base timestamp (2024-01-01T00:00:00Z) plus `offset` microseconds. */
export function at(offset: number): UnixMicros {
  return (1_704_067_200_000_000 + offset) as UnixMicros;
}

/** Decimals that float arithmetic or a NUMERIC with a scale would not keep: 18 dp, huge, negative. */
export const HARD_DECIMALS: readonly string[] = [
  "0.000000000000000001",
  "-0.000000000000000001",
  "0.1",
  "-27123.450000000000000001",
  "999999999999999999999999.999999999999999999",
  "12345678901234567890123456789012345678901",
  "-12345678901234567890123456789012345678901.5",
  "0",
  "100",
];

/** The instrument of most fixtures. */
/** The i-th hard decimal, cycling through HARD_DECIMALS. */
export function hardDecimal(i: number): Decimal {
  return dec(HARD_DECIMALS[i % HARD_DECIMALS.length]!);
}

/**
 * Rows written by the decimal tests: the first HARD_DECIMALS.length in one small write (one
 * statement), the rest (more than SMALL_WRITE_ROWS) in one bulk write (COPY on PostgreSQL).
 */
export const DECIMAL_ROWS = HARD_DECIMALS.length + SMALL_WRITE_ROWS + 1;

/** Writes rows as DECIMAL_ROWS describes: a small write, then a bulk one. */
export async function writeSmallThenBulk<T>(
  rows: readonly T[],
  write: (rows: readonly T[]) => Promise<unknown>,
) {
  await write(rows.slice(0, HARD_DECIMALS.length));
  await write(rows.slice(HARD_DECIMALS.length));
}

/** The instrument of most fixtures. */
export const BTC = instrumentId("BTCUSDT");
/** A second instrument. */
export const ETH = instrumentId("ETHUSDT");
/** The strategy of every order fixture. */
export const S1 = strategyId("s1");
/** The account of fills and balances unless told otherwise. */
export const PAPER: AccountId = accountId("paper");

/** The common fields of an order event. */
function base(order: string, ts: number) {
  return { clientOrderId: clientOrderId(order), strategyId: S1, instrumentId: BTC, ts: at(ts) };
}

/** An order event of the given kind (reason and venue id filled in as the kind needs). */
export function orderEvent(
  kind:
    | "OrderSubmitted"
    | "OrderAccepted"
    | "OrderCanceled"
    | "OrderRejected"
    | "OrderDenied"
    | "OrderExpired",
  order: string,
  ts: number,
): OrderEvent {
  switch (kind) {
    case "OrderAccepted":
      return { kind, ...base(order, ts), venueOrderId: venueOrderId(`v-${order}`) };
    case "OrderRejected":
    case "OrderDenied":
      return { kind, ...base(order, ts), reason: `${kind} reason` };
    case "OrderExpired":
      return { kind, ...base(order, ts), reason: "IOC remainder" };
    default:
      return { kind, ...base(order, ts) };
  }
}

/** A fill of `order` with trade id `trade`. */
export function filled(
  order: string,
  trade: string | number,
  ts: number,
  status: OrderStatus = "FILLED",
  quantity: Decimal = dec("0.00100000"),
  price: Decimal = dec("27123.45"),
): OrderFilled {
  return {
    kind: "OrderFilled",
    ...base(order, ts),
    accountId: PAPER,
    venueOrderId: venueOrderId(`v-${order}`),
    tradeId: tradeId(String(trade)),
    side: "BUY",
    lastQty: quantity,
    lastPrice: price,
    commission: dec("0.000001"),
    commissionAsset: "BNB",
    liquidity: "TAKER",
    orderStatus: status,
  };
}

/** A position snapshot of book `book`. */
export function position(book: string, quantity: string, ts: number, instrument = BTC): PositionRecord {
  return {
    bookId: book,
    instrumentId: instrument,
    quantity: dec(quantity),
    averagePrice: dec("27123.45"),
    realizedPnl: dec("-1.000000000000000001"),
    fees: { USDT: dec("0.02712345"), BNB: dec("0.000001") },
    updatedAt: at(ts),
  };
}

/** A balance of `asset`. */
export function balance(asset: string, free: string, ts: number, account: AccountId = PAPER): BalanceRecord {
  return { accountId: account, asset, free: dec(free), locked: dec("0"), updatedAt: at(ts) };
}

/** Brands a client order id. */
export function order(id: string): ClientOrderId {
  return clientOrderId(id);
}

/** Decimals as their exact strings, for deepEqual on records. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}
