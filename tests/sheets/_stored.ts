/**
 * Sheets and rows in an app database file, counted on a connection of the test's own
 * (read only), apart from the app's: what a crash or a cancel really left on disk.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";

/** Counts the sheets and sheet rows in `dir`/hearth.db. */
export function stored(dir: string): { sheets: number; rows: number } {
  const db = new DatabaseSync(join(dir, "hearth.db"), { readOnly: true });
  try {
    const count = (table: string) =>
      Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
    return { sheets: count("sheets"), rows: count("sheet_rows") };
  } finally {
    db.close();
  }
}
