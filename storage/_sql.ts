/**
 * Small SQL helpers shared by the stores: a prepared-statement cache and JSON columns.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * Prepares each SQL text once per connection. Streaming writes run every ~100-250 ms,
 * so re-preparing them each time would be wasted work.
 */
export class Statements {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** The prepared statement for `sql`, prepared on first use. */
  get(sql: string): StatementSync {
    let statement = this.#cache.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#cache.set(sql, statement);
    }
    return statement;
  }
}

/** A row as node:sqlite returns it. */
export type Row = Record<string, unknown>;

/** Parses a JSON column; SQL NULL stays null. */
export function parseJson<T>(value: unknown): T | null {
  return typeof value === "string" ? JSON.parse(value) as T : null;
}

/** Serializes a value for a JSON column; null and undefined become SQL NULL. */
export function toJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
