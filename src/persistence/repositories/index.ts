export { type AuditEventRecord, type AuditRepository, SqlAuditRepository } from "./audit-repository.ts";
export { type BalanceRecord, type BalanceRepository, SqlBalanceRepository } from "./balance-repository.ts";
export {
  type EquitySnapshotRecord,
  type EquitySnapshotRepository,
  SqlEquitySnapshotRepository,
} from "./equity-snapshot-repository.ts";
export { type FillRecord, type FillRepository, fillRecordOf, SqlFillRepository } from "./fill-repository.ts";
export { type OrderRecord, type OrderRepository, SqlOrderRepository } from "./order-repository.ts";
export {
  type OrderEventRow,
  type OrderStatusChange,
  orderEventId,
  orderEventRow,
  statusAfter,
} from "./order-status-change.ts";
export {
  type PositionRecord,
  type PositionRepository,
  SqlPositionRepository,
} from "./position-repository.ts";
export { type FillUpdate, recordFill } from "./record-fill.ts";
export { type Repositories, sqlRepositories } from "./repositories.ts";
export {
  type RiskCounterRecord,
  type RiskCounterRepository,
  SqlRiskCounterRepository,
} from "./risk-counter-repository.ts";
export { type SignalRepository, SqlSignalRepository } from "./signal-repository.ts";
export {
  SqlStrategyInstanceRepository,
  type StrategyInstanceRecord,
  type StrategyInstanceRepository,
} from "./strategy-instance-repository.ts";
export { SqlStrategyStateRepository, type StrategyStateRepository } from "./strategy-state-repository.ts";
export { SqlUnitOfWork, type UnitOfWork } from "./unit-of-work.ts";
