import type { SqlDialect } from "../sql/sql-types.ts";

/**
 * An ORDER BY list whose text columns sort by code point in both dialects, so SQLite and
 * PostgreSQL return rows in the same order. SQLite's default (BINARY) already does; PostgreSQL
 * sorts text by the database's collation (en_US sorts "a-b" after "ab"), so its text columns get
 * COLLATE "C". This is the one dialect branch of the repositories. Integer columns are listed as is.
 *
 * @param columns `text:name` for a text column, `name` for any other column; append ` DESC` as needed.
 */
export function orderBy(dialect: SqlDialect, ...columns: readonly string[]): string {
  return columns
    .map((c) => {
      if (!c.startsWith("text:")) return c;
      const [name, ...direction] = c.slice("text:".length).split(" ");
      const collated = dialect === "postgres" ? `${name} COLLATE "C"` : name;
      return [collated, ...direction].join(" ");
    })
    .join(", ");
}
