/**
 * Moving DES from SQLite to PostgreSQL (and back): a resumable, verified copy, dual-write with a
 * retried secondary, a divergence check and the switch of primary. See docs/db-migration-runbook.md.
 */
export {
  CANONICAL_NULL,
  canonicalKeyText,
  canonicalRowText,
  canonicalValue,
  normalizeDecimalText,
} from "./canonical-row.ts";
export { COPY_PROGRESS_TABLE, CopyProgressStore, type TableCopyProgress } from "./copy-progress.ts";
export {
  checkDivergence,
  type DivergenceOptions,
  type DivergenceReport,
  type DivergentRow,
  formatDivergenceReport,
  type NamedDatabase,
  type TableDivergence,
} from "./divergence-check.ts";
export {
  DualWriteDriver,
  type DualWriteOptions,
  type DualWriteStats,
  type SwitchPrimaryOptions,
  type SwitchResult,
} from "./dual-write-driver.ts";
export {
  formatVerificationReport,
  type TableVerification,
  type VerificationReport,
  verifyTables,
} from "./migration-verification.ts";
export { isReadOnlySql, type MirroredStatement, type MirroredWrite } from "./mirrored-write.ts";
export {
  SecondaryMirror,
  type SecondaryMirrorOptions,
  type SecondaryMirrorStats,
} from "./secondary-mirror.ts";
export { type SequenceSync, syncSerialSequences } from "./serial-sequences.ts";
export { checksumTable, RowSetDigest, type TableChecksum } from "./table-checksum.ts";
export {
  type CopyOptions,
  type CopyProgressEvent,
  type CopyReport,
  copyDatabase,
  DEFAULT_COPY_BATCH_SIZE,
  type TableCopyResult,
} from "./table-copier.ts";
