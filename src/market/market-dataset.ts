import { readFile } from "node:fs/promises";
import { isAbsolute, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { DesError, ErrorCode, type InstrumentId, instrumentId } from "../core/index.ts";
import {
  BAR_INTERVALS,
  type Bar,
  type BarInterval,
  type ExchangeInfoMsg,
  type Instrument,
  type MarketEvent,
  parseExchangeInfo,
} from "../model/index.ts";
import { HistoricalBars } from "./historical-bars.ts";
import { loadMarketFile, MARKET_FILE_FORMATS, type MarketFileFormat } from "./market-file.ts";
import { mergeMarketEvents } from "./merge-market-events.ts";

/** The folder of the dataset bundled with DES (data/market at the repository root). */
export const DEFAULT_MARKET_DATASET_DIR: string = fileURLToPath(
  new URL("../../data/market/", import.meta.url),
);

const manifestFileSchema = z.object({
  id: z.string().min(1),
  path: z.string().min(1),
  format: z.enum(MARKET_FILE_FORMATS),
  instrument: z.string().min(1),
  interval: z.enum(BAR_INTERVALS),
  date: z.string().optional(),
  rows: z.number().int().nonnegative().optional(),
  default: z.boolean().default(false),
});

const manifestSchema = z.object({
  version: z.literal(1),
  exchangeInfo: z.string().min(1),
  files: z.array(manifestFileSchema).min(1),
});

/** The parsed manifest.json of a dataset folder. */
export type MarketManifest = z.infer<typeof manifestSchema>;

/** One loaded file of a dataset. */
export interface MarketDatasetFile {
  readonly id: string;
  /** Absolute path. */
  readonly path: string;
  readonly format: MarketFileFormat;
  readonly instrumentId: InstrumentId;
  readonly interval: BarInterval;
  /** Part of the default replay. */
  readonly isDefault: boolean;
  readonly bars: readonly Bar[];
}

/** Options for MarketDataset.load. */
export interface MarketDatasetLoadOptions {
  /** Load only these file ids (default: every file of the manifest). */
  readonly ids?: readonly string[] | undefined;
}

/**
 * A folder of market-data files described by a manifest.json (format, instrument, interval of each
 * file) plus an exchangeInfo-shaped file with the instruments' filters. The bundled default lives in
 * data/market.
 */
export class MarketDataset {
  readonly dir: string;
  readonly instruments: ReadonlyMap<InstrumentId, Instrument>;
  readonly files: readonly MarketDatasetFile[];

  private constructor(
    dir: string,
    instruments: ReadonlyMap<InstrumentId, Instrument>,
    files: MarketDatasetFile[],
  ) {
    this.dir = dir;
    this.instruments = instruments;
    this.files = files;
  }

  /** Reads and validates a dataset folder's manifest.json. */
  static async readManifest(dir: string = DEFAULT_MARKET_DATASET_DIR): Promise<MarketManifest> {
    const path = join(dir, "manifest.json");
    const parsed = manifestSchema.safeParse(await readJson(path));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new DesError(
        ErrorCode.InvalidMarketData,
        `${path}: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
        { path, issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) },
      );
    }
    return parsed.data;
  }

  /** Loads a dataset folder: its instruments and every (or the chosen) file's bars. */
  static async load(
    dir: string = DEFAULT_MARKET_DATASET_DIR,
    opts: MarketDatasetLoadOptions = {},
  ): Promise<MarketDataset> {
    const manifest = await MarketDataset.readManifest(dir);
    const instruments = parseExchangeInfo(
      (await readJson(inside(dir, manifest.exchangeInfo))) as ExchangeInfoMsg,
    );
    const wanted = opts.ids === undefined ? undefined : new Set(opts.ids);
    if (wanted !== undefined) {
      for (const id of wanted) {
        if (!manifest.files.some((f) => f.id === id)) {
          throw new DesError(
            ErrorCode.InvalidMarketData,
            `dataset ${dir} has no file with id ${JSON.stringify(id)}`,
            {
              id,
            },
          );
        }
      }
    }
    const files: MarketDatasetFile[] = [];
    for (const entry of manifest.files) {
      if (wanted !== undefined && !wanted.has(entry.id)) continue;
      const path = inside(dir, entry.path);
      const id = instrumentId(entry.instrument);
      if (!instruments.has(id)) {
        throw new DesError(
          ErrorCode.UnknownInstrument,
          `${entry.path}: ${id} is not in ${manifest.exchangeInfo}`,
          {
            instrumentId: id,
          },
        );
      }
      const data = await loadMarketFile(path, {
        format: entry.format,
        instrumentId: id,
        interval: entry.interval,
        date: entry.date,
      });
      if (entry.rows !== undefined && data.bars.length !== entry.rows) {
        throw new DesError(
          ErrorCode.InvalidMarketData,
          `${entry.path}: manifest says ${entry.rows} rows, the file has ${data.bars.length}`,
          { path: entry.path },
        );
      }
      files.push({
        id: entry.id,
        path,
        format: entry.format,
        instrumentId: id,
        interval: entry.interval,
        isDefault: entry.default,
        bars: data.bars,
      });
    }
    return new MarketDataset(dir, instruments, files);
  }

  /** Returns the events of the default files (or of the given ids), merged in time order for a replay. */
  events(ids?: readonly string[]): MarketEvent[] {
    const chosen = this.files.filter((f) => (ids === undefined ? f.isDefault : ids.includes(f.id)));
    return mergeMarketEvents(chosen.map((f) => f.bars));
  }

  /** Returns every bar of the dataset as HistoricalBars (for strategy warm-up). */
  historicalBars(): HistoricalBars {
    return new HistoricalBars(this.files.flatMap((f) => f.bars));
  }
}

/** Resolves a manifest path inside the dataset folder; a path that leaves the folder is an error. */
function inside(dir: string, relative: string): string {
  const clean = normalize(relative);
  if (isAbsolute(clean) || clean.startsWith("..")) {
    throw new DesError(
      ErrorCode.InvalidMarketData,
      `dataset path ${JSON.stringify(relative)} leaves ${dir}`,
      {
        path: relative,
      },
    );
  }
  return join(dir, clean);
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (thrown) {
    throw new DesError(
      ErrorCode.InvalidMarketData,
      `cannot read ${path}: ${(thrown as Error).message}`,
      { path },
      {
        cause: thrown,
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (thrown) {
    throw new DesError(
      ErrorCode.InvalidMarketData,
      `${path}: not valid JSON: ${(thrown as Error).message}`,
      { path },
      {
        cause: thrown,
      },
    );
  }
}
