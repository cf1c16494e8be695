/**
 * Numbers the `?` placeholders of a statement for PostgreSQL ($1, $2, ...). A `?` inside a quoted
 * string ('...'), a quoted identifier ("..."), a dollar-quoted body ($tag$...$tag$) or a comment is
 * left as it is. Results are cached: DES issues a small set of distinct statements.
 */
export function numberPlaceholders(sql: string): string {
  const cached = cache.get(sql);
  if (cached !== undefined) return cached;
  const numbered = scan(sql);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(sql, numbered);
  return numbered;
}

const MAX_CACHED = 2000;
const cache = new Map<string, string>();

function scan(sql: string): string {
  if (!sql.includes("?")) return sql;
  let out = "";
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const skipTo = skipQuoted(sql, i);
    if (skipTo > i) {
      out += sql.slice(i, skipTo);
      i = skipTo;
    } else if (c === "?") {
      n++;
      out += `$${n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Returns the index just past a quoted section or comment starting at i, or i when none starts there. */
function skipQuoted(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') return closing(sql, i + 1, c);
  if (c === "-" && sql[i + 1] === "-") return lineEnd(sql, i);
  if (c === "/" && sql[i + 1] === "*") {
    const end = sql.indexOf("*/", i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  if (c === "$") {
    const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64))?.[0];
    if (tag === undefined) return i;
    const end = sql.indexOf(tag, i + tag.length);
    return end < 0 ? sql.length : end + tag.length;
  }
  return i;
}

function closing(sql: string, from: number, quote: string): number {
  let j = from;
  while (j < sql.length) {
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) {
        j += 2; // doubled quote = escaped quote
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}

function lineEnd(sql: string, from: number): number {
  const end = sql.indexOf("\n", from);
  return end < 0 ? sql.length : end + 1;
}
