import type { SqlExecutor } from "../sql/sql-types.ts";
import { type AuditRepository, SqlAuditRepository } from "./audit-repository.ts";
import { type BalanceRepository, SqlBalanceRepository } from "./balance-repository.ts";
import { type EquitySnapshotRepository, SqlEquitySnapshotRepository } from "./equity-snapshot-repository.ts";
import { type FillRepository, SqlFillRepository } from "./fill-repository.ts";
import { type OrderRepository, SqlOrderRepository } from "./order-repository.ts";
import { type PositionRepository, SqlPositionRepository } from "./position-repository.ts";
import { type RiskCounterRepository, SqlRiskCounterRepository } from "./risk-counter-repository.ts";
import { type SignalRepository, SqlSignalRepository } from "./signal-repository.ts";
import {
  SqlStrategyInstanceRepository,
  type StrategyInstanceRepository,
} from "./strategy-instance-repository.ts";
import { SqlStrategyStateRepository, type StrategyStateRepository } from "./strategy-state-repository.ts";

/** Every repository of DES, all bound to the same connection or transaction. */
export interface Repositories {
  readonly orders: OrderRepository;
  readonly fills: FillRepository;
  readonly positions: PositionRepository;
  readonly balances: BalanceRepository;
  readonly strategyInstances: StrategyInstanceRepository;
  readonly strategyState: StrategyStateRepository;
  readonly signals: SignalRepository;
  readonly riskCounters: RiskCounterRepository;
  readonly equity: EquitySnapshotRepository;
  readonly audit: AuditRepository;
}

/**
 * The SQL repositories on one executor: a driver (each statement on its own; use it for reads and
 * single writes) or a transaction's executor (see UnitOfWork).
 */
export function sqlRepositories(db: SqlExecutor): Repositories {
  return {
    orders: new SqlOrderRepository(db),
    fills: new SqlFillRepository(db),
    positions: new SqlPositionRepository(db),
    balances: new SqlBalanceRepository(db),
    strategyInstances: new SqlStrategyInstanceRepository(db),
    strategyState: new SqlStrategyStateRepository(db),
    signals: new SqlSignalRepository(db),
    riskCounters: new SqlRiskCounterRepository(db),
    equity: new SqlEquitySnapshotRepository(db),
    audit: new SqlAuditRepository(db),
  };
}
