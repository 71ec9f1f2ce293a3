/**
 * Domain errors of sheets; server/error_table.ts maps each to an HTTP status.
 *
 * @module
 */

/** A sheet, column, row or job id that names nothing. */
export class SheetNotFoundError extends Error {
  /** What was looked up. */
  readonly kind: "sheet" | "column" | "row" | "job" | "import";
  /** The id (or row index) that names nothing. */
  readonly id: string;

  /** Makes `Cannot find KIND "ID"`. */
  constructor(kind: SheetNotFoundError["kind"], id: string | number, options?: ErrorOptions) {
    super(`Cannot find ${kind} "${id}"`, options);
    this.name = "SheetNotFoundError";
    this.kind = kind;
    this.id = String(id);
  }
}

/**
 * A column definition the sheet cannot take: a duplicate or empty name, a template
 * naming a column that does not exist, an unsupported JSON schema, a bad max_tokens.
 */
export class SheetColumnError extends RangeError {
  /** Makes the error; `message` says what is wrong and with which column. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SheetColumnError";
  }
}

/** A job cannot start or change now: the column has one running, or it is finished. */
export class SheetJobConflictError extends Error {
  /** Makes the error; `message` says why. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SheetJobConflictError";
  }
}

/**
 * An import stopped by its user (Cancel in the UI, Ctrl+C in `deno task sheet`): the
 * rows it had stored are deleted, so nothing of the file is kept.
 */
export class SheetImportCancelledError extends Error {
  /** The name the sheet would have had. */
  readonly sheetName: string;

  /** Makes `Import of "NAME" cancelled: nothing was kept`. */
  constructor(sheetName: string, options?: ErrorOptions) {
    super(`Import of "${sheetName}" cancelled: nothing was kept`, options);
    this.name = "SheetImportCancelledError";
    this.sheetName = sheetName;
  }
}
