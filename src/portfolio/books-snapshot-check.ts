import { Decimal, instrumentId, strategyId } from "../core/index.ts";

/** One thing wrong with a snapshot: the path of the field ("books.2.cash.USDT") and what is wrong. */
export interface SnapshotProblem {
  readonly field: string;
  readonly message: string;
}

type Path = readonly (string | number)[];
type Json = Record<string, unknown>;

/** Integer digits below which a decimal is surely within Decimal's range (|value| < 10^42). */
const SAFE_INTEGER_DIGITS = 42;
const DECIMAL_PATTERN = /^-?\d+(\.\d{1,18})?$/;
const NON_ZERO_DIGIT = /[1-9]/;

/**
 * Returns every problem of a books snapshot (empty when it is valid). Hand-written rather than a
 * zod schema: a restart validates 100,000 remembered trade ids and thousands of positions, which
 * these checks do several times faster.
 */
export function booksSnapshotProblems(raw: unknown, version: number): SnapshotProblem[] {
  return new SnapshotChecker().snapshot(raw, version);
}

/** Walks a snapshot, collecting problems with their paths. */
class SnapshotChecker {
  readonly #problems: SnapshotProblem[] = [];
  /** Symbols already checked (the same few recur in every book and trade id). */
  readonly #symbols = new Set<string>();

  snapshot(raw: unknown, version: number): SnapshotProblem[] {
    const s = this.#object(raw, [], ["version", "takenAt", "lastFill", "books", "recentTradeIds"]);
    if (s === undefined) return this.#problems;
    if (s["version"] !== version)
      this.#add(["version"], `expected ${version}, got ${describe(s["version"])}`);
    this.#micros(s["takenAt"], ["takenAt"]);
    if (s["lastFill"] !== null) this.#watermark(s["lastFill"], ["lastFill"]);
    const books = this.#array(s["books"], ["books"]);
    const owners = new Set<string>();
    books?.forEach((b, i) => {
      const book = this.#book(b, ["books", i]);
      if (book === undefined) return;
      const key = `${book["kind"]}:${book["id"]}`;
      if (owners.has(key)) this.#add(["books", i, "id"], `a second ${book["kind"]} book ${book["id"]}`);
      owners.add(key);
    });
    const ids = this.#array(s["recentTradeIds"], ["recentTradeIds"]);
    if (ids !== undefined) for (let i = 0; i < ids.length; i++) this.#tradeIdEntry(ids[i], i);
    return this.#problems;
  }

  #watermark(raw: unknown, path: Path): void {
    const w = this.#object(raw, path, ["accountId", "instrumentId", "tradeId", "clientOrderId", "ts"]);
    if (w === undefined) return;
    this.#nonEmpty(w["accountId"], [...path, "accountId"]);
    this.#symbol(w["instrumentId"], [...path, "instrumentId"]);
    this.#string(w["tradeId"], [...path, "tradeId"]);
    this.#string(w["clientOrderId"], [...path, "clientOrderId"]);
    this.#micros(w["ts"], [...path, "ts"]);
  }

  #book(raw: unknown, path: Path): Json | undefined {
    const b = this.#object(raw, path, ["kind", "id", "cash", "positions", "initialCash"]);
    if (b === undefined) return undefined;
    const kind = b["kind"];
    if (kind !== "strategy" && kind !== "account")
      this.#add([...path, "kind"], `expected "strategy" or "account", got ${JSON.stringify(kind)}`);
    if (!this.#nonEmpty(b["id"], [...path, "id"])) return undefined;
    if (kind === "strategy" && !isValid(strategyId, b["id"] as string))
      this.#add([...path, "id"], "expected a strategy id (1-64 of [a-zA-Z0-9-_.])");
    this.#amounts(b["cash"], [...path, "cash"], "any");
    if (b["initialCash"] !== undefined) {
      if (kind === "strategy") this.#add([...path, "initialCash"], "only account books have it");
      else this.#amounts(b["initialCash"], [...path, "initialCash"], "any");
    }
    const instruments = new Set<unknown>();
    this.#array(b["positions"], [...path, "positions"])?.forEach((p, i) => {
      this.#position(p, [...path, "positions", i]);
      const id = (p as Json | null)?.["instrumentId"];
      if (instruments.has(id))
        this.#add([...path, "positions", i, "instrumentId"], `a second position in ${String(id)}`);
      instruments.add(id);
    });
    return kind === "strategy" || kind === "account" ? b : undefined;
  }

  #position(raw: unknown, path: Path): void {
    const p = this.#object(raw, path, [
      "instrumentId",
      "quantity",
      "costBasis",
      "realizedPnl",
      "commissions",
      "fillCount",
      "lastFillPrice",
      "updatedAt",
    ]);
    if (p === undefined) return;
    this.#symbol(p["instrumentId"], [...path, "instrumentId"]);
    const quantity = this.#decimal(p["quantity"], [...path, "quantity"], "any");
    const cost = this.#decimal(p["costBasis"], [...path, "costBasis"], "any");
    if (quantity && cost && signOf(cost) !== 0 && signOf(cost) !== signOf(quantity))
      this.#add([...path, "costBasis"], `must be zero or signed like the quantity ${quantity}`);
    this.#decimal(p["realizedPnl"], [...path, "realizedPnl"], "any");
    this.#amounts(p["commissions"], [...path, "commissions"], "nonNegative");
    const count = p["fillCount"];
    if (!Number.isSafeInteger(count) || (count as number) < 0)
      this.#add([...path, "fillCount"], `expected an integer >= 0, got ${describe(count)}`);
    if (p["lastFillPrice"] !== null)
      this.#decimal(p["lastFillPrice"], [...path, "lastFillPrice"], "positive");
    if (p["updatedAt"] !== null) this.#micros(p["updatedAt"], [...path, "updatedAt"]);
  }

  #tradeIdEntry(raw: unknown, i: number): void {
    if (
      Array.isArray(raw) &&
      raw.length === 3 &&
      typeof raw[0] === "string" &&
      raw[0] !== "" &&
      typeof raw[2] === "string" &&
      this.#isSymbol(raw[1])
    )
      return;
    this.#add(["recentTradeIds", i], "expected [accountId, instrumentId, tradeId] strings");
  }

  /** Checks an object: not null, not an array, no key but the known ones (each value check reports a missing one). */
  #object(raw: unknown, path: Path, known: readonly string[] | "any keys"): Json | undefined {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      this.#add(path, `expected an object, got ${describe(raw)}`);
      return undefined;
    }
    const o = raw as Json;
    if (known !== "any keys")
      for (const key of Object.keys(o)) if (!known.includes(key)) this.#add([...path, key], "unknown field");
    return o;
  }

  #array(raw: unknown, path: Path): unknown[] | undefined {
    if (Array.isArray(raw)) return raw;
    this.#add(path, `expected an array, got ${describe(raw)}`);
    return undefined;
  }

  #amounts(raw: unknown, path: Path, kind: DecimalKind): void {
    const o = this.#object(raw, path, "any keys");
    if (o === undefined) return;
    for (const [asset, amount] of Object.entries(o)) {
      if (asset === "") this.#add([...path, asset], "an empty asset name");
      this.#decimal(amount, [...path, asset], kind);
    }
  }

  /** Returns the decimal string when it is valid for the kind. */
  #decimal(raw: unknown, path: Path, kind: DecimalKind): string | undefined {
    if (typeof raw !== "string" || !DECIMAL_PATTERN.test(raw) || !inRange(raw)) {
      this.#add(path, `expected an exact decimal string such as "-12.5", got ${describe(raw)}`);
      return undefined;
    }
    if (kind === "nonNegative" && signOf(raw) < 0) this.#add(path, `expected a decimal >= 0, got ${raw}`);
    else if (kind === "positive" && signOf(raw) <= 0) this.#add(path, `expected a decimal > 0, got ${raw}`);
    else return raw;
    return undefined;
  }

  #micros(raw: unknown, path: Path): void {
    if (!Number.isSafeInteger(raw))
      this.#add(path, `expected an integer of UnixMicros, got ${describe(raw)}`);
  }

  #symbol(raw: unknown, path: Path): void {
    if (!this.#isSymbol(raw)) this.#add(path, `expected an instrument symbol, got ${describe(raw)}`);
  }

  #isSymbol(raw: unknown): boolean {
    if (typeof raw !== "string") return false;
    if (this.#symbols.has(raw)) return true;
    if (!isValid(instrumentId, raw)) return false;
    this.#symbols.add(raw);
    return true;
  }

  #string(raw: unknown, path: Path): void {
    if (typeof raw !== "string") this.#add(path, `expected a string, got ${describe(raw)}`);
  }

  #nonEmpty(raw: unknown, path: Path): boolean {
    if (typeof raw === "string" && raw !== "") return true;
    this.#add(path, `expected a non-empty string, got ${describe(raw)}`);
    return false;
  }

  #add(path: Path, message: string): void {
    this.#problems.push({ field: path.length > 0 ? path.join(".") : "(root)", message });
  }
}

type DecimalKind = "any" | "nonNegative" | "positive";

/** The sign of a decimal string that matched DECIMAL_PATTERN ("-0" is zero). */
function signOf(value: string): -1 | 0 | 1 {
  if (!NON_ZERO_DIGIT.test(value)) return 0;
  return value.startsWith("-") ? -1 : 1;
}

/** Whether a decimal string that matched DECIMAL_PATTERN is within Decimal's range. */
function inRange(value: string): boolean {
  const digits = value.indexOf(".") < 0 ? value.length : value.indexOf(".");
  if (digits <= SAFE_INTEGER_DIGITS) return true;
  return isValid((v) => Decimal.from(v), value);
}

function isValid(check: (value: string) => unknown, value: string): boolean {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}

function describe(raw: unknown): string {
  if (raw === undefined) return "nothing";
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
