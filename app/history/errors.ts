/**
 * Domain errors of the generation history and bench runs; server/error_table.ts maps each to
 * an HTTP status.
 *
 * @module
 */

/** A history filter or page the history cannot take: an unknown kind, a bad time or size. */
export class HistoryQueryError extends RangeError {
  /** The query field at fault (`kind`, `since`, `until`, `limit`, `offset`). */
  readonly field: string;

  /** Makes `Invalid history filter "FIELD": WHAT`. */
  constructor(field: string, what: string, options?: ErrorOptions) {
    super(`Invalid history filter "${field}": ${what}`, options);
    this.name = "HistoryQueryError";
    this.field = field;
  }
}

/** A bench run id that names no saved run. */
export class BenchRunNotFoundError extends Error {
  /** The id looked up. */
  readonly id: string;

  /** Makes `Cannot find bench run "ID"`. */
  constructor(id: string, options?: ErrorOptions) {
    super(`Cannot find bench run "${id}"`, options);
    this.name = "BenchRunNotFoundError";
    this.id = id;
  }
}
