/**
 * The one error tables/ throws for a file it cannot read: bad CSV quoting, a record
 * with the wrong number of fields, a JSONL line that is not a JSON object.
 *
 * @module
 */

/** A table file that is malformed; the message names the file and the line. */
export class TableFormatError extends Error {
  /** The file. */
  readonly path: string;
  /** The 1-based line (row for Parquet) at fault, or 0 for the file as a whole. */
  readonly line: number;

  /** Makes "PATH: line N: REASON" (or "PATH: REASON" for line 0). */
  constructor(path: string, line: number, reason: string, options?: ErrorOptions) {
    super(line > 0 ? `${path}: line ${line}: ${reason}` : `${path}: ${reason}`, options);
    this.name = "TableFormatError";
    this.path = path;
    this.line = line;
  }
}
