export { BatchWriter } from "./batch-writer.ts";
export {
  BATCH_WRITER_DEFAULTS,
  type BatchWriterOptions,
  resolveBatchWriterOptions,
  SQLITE_MAX_BATCH_ROWS,
} from "./batch-writer-options.ts";
export type { BatchWriterCloseReport, BatchWriterStats, UnwrittenRows } from "./batch-writer-stats.ts";
export type { DeadLetter } from "./dead-letter-list.ts";
export {
  FLUSH_LATENCY_BUCKETS_US,
  type FlushLatencySnapshot,
} from "./flush-latency-histogram.ts";
export type { WriteErrorSummary } from "./write-error.ts";
