import { DesError, ErrorCode } from "../core/index.ts";
import type { StrategyDefinition } from "./strategy.ts";

/**
 * Where a worker thread finds a definition: an ES module (file URL or absolute path) and the name
 * of the export that holds the StrategyDefinition. A worker cannot receive functions, so it imports
 * the definition itself.
 */
export interface WorkerModuleRef {
  /** A `file:` URL (`new URL("./ma-cross.ts", import.meta.url).href`) or an absolute path. */
  readonly url: string;
  /** The export holding the StrategyDefinition. */
  readonly exportName: string;
}

/** One registered kind of strategy. */
export interface StrategyRegistryEntry {
  readonly definition: StrategyDefinition<unknown>;
  /** Set when instances of this definition may run in worker mode. */
  readonly workerModule: WorkerModuleRef | undefined;
}

/** Strategy definitions by configuration name ("ma_cross"), with the module map for worker mode. */
export class StrategyRegistry {
  readonly #entries = new Map<string, StrategyRegistryEntry>();

  /** Registers a definition; a second definition with the same name is an error. */
  register<P>(definition: StrategyDefinition<P>, workerModule?: WorkerModuleRef): this {
    const name = definition?.name;
    if (typeof name !== "string" || name.length === 0) {
      throw new DesError(ErrorCode.InvalidConfig, "a strategy definition needs a non-empty name", {
        name: String(name),
      });
    }
    if (this.#entries.has(name)) {
      throw new DesError(ErrorCode.InvalidConfig, `strategy definition "${name}" is already registered`, {
        name,
      });
    }
    if (workerModule !== undefined) checkWorkerModule(name, workerModule);
    this.#entries.set(name, {
      definition: definition as unknown as StrategyDefinition<unknown>,
      workerModule,
    });
    return this;
  }

  /** Returns the entry registered under the name, or undefined. */
  get(name: string): StrategyRegistryEntry | undefined {
    return this.#entries.get(name);
  }

  /** Returns the entry registered under the name; throws DES_ERR_UNKNOWN_STRATEGY when there is none. */
  resolve(name: string): StrategyRegistryEntry {
    const entry = this.#entries.get(name);
    if (entry === undefined) {
      const known = this.names();
      throw new DesError(
        ErrorCode.UnknownStrategy,
        `unknown strategy "${name}": expected one of ${known.length > 0 ? known.join(", ") : "(none registered)"}`,
        { name, known },
      );
    }
    return entry;
  }

  /** Returns the registered names, sorted. */
  names(): string[] {
    return [...this.#entries.keys()].sort();
  }
}

function checkWorkerModule(name: string, ref: WorkerModuleRef): void {
  const okUrl = typeof ref.url === "string" && (ref.url.startsWith("file:") || ref.url.startsWith("/"));
  if (!okUrl || typeof ref.exportName !== "string" || ref.exportName.length === 0) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `strategy "${name}": workerModule needs a file: URL or absolute path and an export name`,
      { name, url: String(ref.url), exportName: String(ref.exportName) },
    );
  }
}
