/**
 * The shapes every table format shares: a cell value, a column, a row as read, the
 * text layout of a delimited file (BOM, line ending, header bytes) that a writer can
 * reproduce, and the format named by a file's extension.
 *
 * @module
 */

/** One cell: text, a number, a boolean, or null (empty / missing). */
export type CellValue = string | number | boolean | null;

/** The formats tables/ reads and writes. */
export type TableFormat = "csv" | "tsv" | "jsonl" | "parquet";

/** Every {@link TableFormat}, for messages and option tables. */
export const TABLE_FORMATS: readonly TableFormat[] = ["csv", "tsv", "jsonl", "parquet"];

/**
 * A column's type: "string" (CSV and TSV give only these), "number", "boolean", or
 * "json" (an object or array from JSONL or Parquet, kept as its JSON text).
 */
export type ColumnType = "string" | "number" | "boolean" | "json";

/** A column of a table file: its header name and type. */
export interface TableColumn {
  name: string;
  type: ColumnType;
}

/**
 * How a CSV or TSV file was laid out, so a writer can give back the same bytes: a
 * UTF-8 byte order mark, the record delimiter, and the header record as written
 * (without its line ending).
 */
export interface TextLayout {
  bom: boolean;
  eol: "\n" | "\r\n";
  headerRaw: string;
}

/** One row as read: its values (aligned with the reader's columns) and where it was. */
export interface TableRecord {
  values: CellValue[];
  /**
   * CSV/TSV only: the record's bytes as written, without its line ending, so a writer
   * can keep input columns byte for byte.
   */
  raw?: string;
  /**
   * Where the record is, 1-based: the line it ends on (CSV, TSV: a quoted newline spans
   * lines), the line (JSONL), the row (Parquet).
   */
  line: number;
}

/**
 * The format of `path` from its extension (.csv, .tsv or .tab, .jsonl or .ndjson,
 * .parquet), case-insensitive.
 *
 * @throws {RangeError} for any other extension, naming the ones known.
 */
export function formatFromPath(path: string): TableFormat {
  const ext = path.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? "";
  const byExt: Record<string, TableFormat> = {
    csv: "csv",
    tsv: "tsv",
    tab: "tsv",
    jsonl: "jsonl",
    ndjson: "jsonl",
    parquet: "parquet",
  };
  const format = byExt[ext];
  if (!format) {
    throw new RangeError(
      `Cannot tell the table format of "${path}": use a .csv, .tsv, .jsonl or .parquet file`,
    );
  }
  return format;
}

/** The type a value has in a table; null has none (undefined). */
export function typeOf(value: CellValue): ColumnType | undefined {
  if (value === null) return undefined;
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  return "string";
}
