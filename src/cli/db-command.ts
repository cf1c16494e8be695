import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { DesError, ErrorCode, isDesError } from "../core/index.ts";
import {
  ALL_TABLES,
  LATEST_SCHEMA_VERSION,
  migrate,
  PostgresDriver,
  redactUrl,
  type SqlDriver,
  SqliteDriver,
  schemaVersion,
} from "../persistence/index.ts";
import {
  type CopyProgressEvent,
  CopyProgressStore,
  checkDivergence,
  copyDatabase,
  DEFAULT_COPY_BATCH_SIZE,
  formatDivergenceReport,
  formatVerificationReport,
  verifyTables,
} from "../persistence/migration/index.ts";

/** Options shared by every `des db` subcommand: the two databases. */
export interface DbEndpointOptions {
  /** The database copied from: a SQLite file (default DES_DB_PATH or ./data/des.sqlite) or a postgres:// URL. */
  readonly from: string;
  /** The database copied to: a postgres:// URL (default POSTGRES_URL) or a SQLite file. */
  readonly to?: string;
}

/** Options of `des db migrate`. */
export interface DbMigrateOptions extends DbEndpointOptions {
  readonly batch: string;
  readonly verifyOnly?: boolean;
  readonly restart?: boolean;
  readonly emptyTarget?: boolean;
}

/** Options of `des db divergence`. */
export interface DbDivergenceOptions extends DbEndpointOptions {
  readonly maxRows: string;
}

/** Exit status when a verification or divergence check finds differences. */
export const EXIT_DIFFERENT = 1;
/** Exit status when a command cannot run (bad option, unreachable database, failed copy). */
export const EXIT_FAILED = 2;

/** Registers `des db migrate | verify | divergence | status` on the program. */
export function registerDbCommand(program: Command): void {
  const db = program
    .command("db")
    .description("move DES's data from SQLite to PostgreSQL and check it (docs/db-migration-runbook.md)");
  const endpoints = (command: Command) =>
    command
      .option(
        "--from <sqlite file | postgres url>",
        "the database copied from",
        process.env.DES_DB_PATH ?? "./data/des.sqlite",
      )
      .option(
        "--to <postgres url | sqlite file>",
        "the database copied to (default: $POSTGRES_URL; prefer the variable: a URL on the command line is visible in ps)",
      );
  endpoints(db.command("migrate"))
    .description(
      "copy every table (resumable: rerun after an interruption), then verify counts and checksums",
    )
    .option("--batch <rows>", "rows per batch (one transaction each)", String(DEFAULT_COPY_BATCH_SIZE))
    .option("--verify-only", "do not copy: only compare counts and checksums")
    .option("--restart", "forget the recorded progress and copy every table from its first row")
    .option(
      "--empty-target",
      "DELETE every DES row on the target first, then copy from the start (re-copy a diverged secondary)",
    )
    .action((options: DbMigrateOptions) => run(() => dbMigrate(options)));
  endpoints(db.command("verify"))
    .description("compare row counts and content checksums of every table on both databases")
    .action((options: DbEndpointOptions) => run(() => dbVerify(options)));
  endpoints(db.command("divergence"))
    .description("list the rows missing on either side or different (run it while writes are quiet)")
    .option("--max-rows <n>", "rows listed per table (all are counted)", "20")
    .action((options: DbDivergenceOptions) => run(() => dbDivergence(options)));
  endpoints(db.command("status"))
    .description("schema versions, row counts on both sides and the copy's recorded progress")
    .action((options: DbEndpointOptions) => run(() => dbStatus(options)));
}

/** `des db migrate`: copies (unless --verify-only), then verifies; returns the exit status. */
export async function dbMigrate(options: DbMigrateOptions): Promise<number> {
  const batchSize = positiveInteger(options.batch, "--batch");
  const copying = options.verifyOnly !== true;
  return withDatabases(options, copying, async (source, target, names) => {
    if (copying) {
      await prepareSchemas(source, target, names);
      const started = performance.now();
      const report = await copyDatabase(source, target, {
        tables: ALL_TABLES,
        sourceLabel: names.sourceLabel,
        batchSize,
        restart: options.restart === true,
        emptyTarget: options.emptyTarget === true,
        onProgress: progressPrinter(),
      });
      const copied = report.tables.reduce((n, t) => n + t.rowsThisRun, 0);
      const skipped = report.tables.filter((t) => t.skipped).map((t) => t.table);
      const seconds = (performance.now() - started) / 1000;
      log(
        `copied ${copied.toLocaleString("en")} rows in ${seconds.toFixed(1)} s` +
          (skipped.length > 0 ? ` (already copied before: ${skipped.join(", ")})` : ""),
      );
      for (const s of report.sequences) log(`sequence ${s.sequence}: next id ${s.nextId}`);
    }
    return verify(source, target, names);
  });
}

/** `des db verify`: compares counts and checksums; returns the exit status. */
export async function dbVerify(options: DbEndpointOptions): Promise<number> {
  return withDatabases(options, false, (source, target, names) => verify(source, target, names));
}

/** `des db divergence`: lists differing rows; returns the exit status. */
export async function dbDivergence(options: DbDivergenceOptions): Promise<number> {
  const maxListed = positiveInteger(options.maxRows, "--max-rows");
  return withDatabases(options, false, async (source, target, names) => {
    const report = await checkDivergence(
      { name: names.source, db: source },
      { name: names.target, db: target },
      ALL_TABLES,
      { maxListed },
    );
    process.stdout.write(`${formatDivergenceReport(report)}\n`);
    return report.identical ? 0 : EXIT_DIFFERENT;
  });
}

/** `des db status`: prints schema versions, counts and copy progress; returns 0. */
export async function dbStatus(options: DbEndpointOptions): Promise<number> {
  return withDatabases(options, false, async (source, target, names) => {
    const out: string[] = [
      `${names.source}: ${names.sourceLabel}, schema version ${await schemaVersion(source)}`,
      `${names.target}: ${names.targetLabel}, schema version ${await schemaVersion(target)} (latest ${LATEST_SCHEMA_VERSION})`,
    ];
    const store = new CopyProgressStore(target);
    const progress = (await store.exists()) ? await store.list(ALL_TABLES) : new Map();
    if (progress.size === 0) out.push("copy progress: none recorded on the target");
    const width = Math.max(...ALL_TABLES.map((t) => t.name.length));
    out.push(
      `${"table".padEnd(width)}  ${`${names.source} rows`.padStart(14)}  ${`${names.target} rows`.padStart(14)}  copy`,
    );
    for (const spec of ALL_TABLES) {
      const p = progress.get(spec.name);
      const copy =
        p === undefined
          ? "-"
          : `${p.done ? "done" : "in progress"}, ${p.rowsCopied.toLocaleString("en")} rows, ${new Date(p.updatedAt / 1000).toISOString()}` +
            (p.source === names.sourceLabel ? "" : ` (from ${p.source})`);
      out.push(
        `${spec.name.padEnd(width)}  ${(await countRows(source, spec.name)).padStart(14)}  ${(await countRows(target, spec.name)).padStart(14)}  ${copy}`,
      );
    }
    process.stdout.write(`${out.join("\n")}\n`);
    return 0;
  });
}

/** Names the two databases get in output: their dialect and a label safe to print. */
interface EndpointNames {
  readonly source: string;
  readonly target: string;
  /** The source as recorded with the copy's progress: an absolute file path or a redacted URL. */
  readonly sourceLabel: string;
  readonly targetLabel: string;
}

/** Opens both databases (a missing SQLite target file is created only when `createTarget`), runs `work`, closes them. */
async function withDatabases(
  options: DbEndpointOptions,
  createTarget: boolean,
  work: (source: SqlDriver, target: SqlDriver, names: EndpointNames) => Promise<number>,
): Promise<number> {
  const to = options.to ?? process.env.POSTGRES_URL;
  if (to === undefined || to === "")
    throw new DesError(ErrorCode.InvalidConfig, "no target database: pass --to or set POSTGRES_URL");
  const source = await openEndpoint(options.from, "--from", false);
  let target: SqlDriver;
  try {
    target = await openEndpoint(to, "--to", createTarget);
  } catch (e) {
    await source.close();
    throw e;
  }
  const names: EndpointNames = {
    source: sideName(source, target, "source"),
    target: sideName(target, source, "target"),
    sourceLabel: endpointLabel(options.from),
    targetLabel: endpointLabel(to),
  };
  log(`${names.source} ${names.sourceLabel} -> ${names.target} ${names.targetLabel}`);
  try {
    return await work(source, target, names);
  } finally {
    await Promise.allSettled([source.close(), target.close()]);
  }
}

function isPostgresUrl(endpoint: string): boolean {
  return /^postgres(ql)?:\/\//i.test(endpoint);
}

async function openEndpoint(endpoint: string, option: string, create: boolean): Promise<SqlDriver> {
  if (isPostgresUrl(endpoint)) return PostgresDriver.open({ url: endpoint, poolSize: 4 });
  if (!create && !existsSync(endpoint))
    throw new DesError(ErrorCode.InvalidConfig, `${option}: no SQLite file at ${resolve(endpoint)}`, {
      option,
    });
  return SqliteDriver.open(endpoint);
}

function endpointLabel(endpoint: string): string {
  return isPostgresUrl(endpoint) ? redactUrl(endpoint) : resolve(endpoint);
}

/** "sqlite" / "postgres", or "source" / "target" when both sides have the same dialect. */
function sideName(self: SqlDriver, other: SqlDriver, role: string): string {
  return self.dialect === other.dialect ? role : self.dialect;
}

/** Brings both databases to the latest schema: the source as DES would at start, the target from empty. */
async function prepareSchemas(source: SqlDriver, target: SqlDriver, names: EndpointNames): Promise<void> {
  const sourceReport = await migrate(source);
  if (sourceReport.applied.length > 0)
    log(`${names.source}: schema migrated ${sourceReport.fromVersion} -> ${sourceReport.toVersion}`);
  const targetReport = await migrate(target);
  if (targetReport.applied.length > 0)
    log(`${names.target}: schema migrated ${targetReport.fromVersion} -> ${targetReport.toVersion}`);
}

async function verify(source: SqlDriver, target: SqlDriver, names: EndpointNames): Promise<number> {
  log("verifying: row counts and content checksums of every table on both sides");
  const report = await verifyTables(source, target, ALL_TABLES);
  process.stdout.write(`${formatVerificationReport(report, names.source, names.target)}\n`);
  return report.ok ? 0 : EXIT_DIFFERENT;
}

async function countRows(db: SqlDriver, table: string): Promise<string> {
  try {
    const [row] = await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM "${table}"`);
    return Number(row?.n ?? 0).toLocaleString("en");
  } catch {
    return "no table";
  }
}

/** Prints a progress line per table at most once a second, and when a table is done. */
function progressPrinter(): (event: CopyProgressEvent) => void {
  let table = "";
  let lastPrinted = 0;
  return (event) => {
    if (event.table !== table) {
      table = event.table;
      lastPrinted = 0;
    }
    if (!event.done && event.elapsedMs - lastPrinted < 1000) return;
    lastPrinted = event.elapsedMs;
    const percent = event.totalRows === 0 ? 100 : (100 * event.rowsCopied) / event.totalRows;
    const rate =
      event.elapsedMs < 200
        ? ""
        : `, ${Math.round((1000 * event.rowsThisRun) / event.elapsedMs).toLocaleString("en")} rows/s`;
    log(
      `${event.table}: ${event.rowsCopied.toLocaleString("en")}/${event.totalRows.toLocaleString("en")} rows` +
        ` (${percent.toFixed(1)}%)${rate}${event.done ? ", done" : ""}`,
    );
  };
}

function positiveInteger(text: string, option: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n) || n <= 0)
    throw new DesError(
      ErrorCode.InvalidConfig,
      `${option} ${JSON.stringify(text)}: expected an integer > 0`,
      {
        option,
      },
    );
  return n;
}

function log(line: string): void {
  process.stderr.write(`des db: ${line}\n`);
}

/** Runs a subcommand and exits with its status; a coded error is printed without a stack. */
async function run(command: () => Promise<number>): Promise<void> {
  let status: number;
  try {
    status = await command();
  } catch (e) {
    if (!isDesError(e)) throw e;
    process.stderr.write(`des db: ${e.code}: ${e.message}\n`);
    status = EXIT_FAILED;
  }
  process.exitCode = status;
}
