/**
 * Table files: CSV, TSV, JSONL and Parquet, read and written a row at a time (a file
 * is never held whole in memory). {@link openTable} reads any of them,
 * {@link createTableWriter} writes any of them.
 *
 * @module
 */
import { DelimitedWriter, DELIMITERS, readDelimited } from "./delimited.ts";
import { JsonlWriter, readJsonl } from "./jsonl.ts";
import { ParquetTableWriter, readParquet } from "./parquet.ts";
import type { CellValue, TableColumn, TableFormat, TableRecord, TextLayout } from "./types.ts";

export { TableFormatError } from "./errors.ts";
export {
  type CellValue,
  type ColumnType,
  formatFromPath,
  TABLE_FORMATS,
  type TableColumn,
  type TableFormat,
  type TableRecord,
  type TextLayout,
  typeOf,
} from "./types.ts";

/** A table file being read. */
export interface TableReader {
  format: TableFormat;
  /**
   * The columns; for JSONL it grows while rows are read (a key first seen on a later
   * line), so read it again after the rows.
   */
  columns: TableColumn[];
  /** CSV and TSV: how the file was laid out; null for the others. */
  layout: TextLayout | null;
  /** The rows, in file order, each `values` aligned with `columns` as they were then. */
  rows: AsyncGenerator<TableRecord>;
  /** The file's size in bytes when it was opened. */
  sizeBytes: number;
  /**
   * Bytes of the file read so far, for progress: CSV, TSV and JSONL count what the file
   * stream read (ahead of the rows yielded by its buffer, 64 KiB); Parquet, read by row
   * group, counts the size times the fraction of rows yielded. Reaches `sizeBytes` at the end.
   */
  bytesRead(): number;
}

/**
 * Opens a table file of `format`.
 *
 * @throws {TableFormatError} for a file that is not of the format (or, from `rows`,
 *   a malformed record, naming its line).
 * @throws {Deno.errors.NotFound} for a missing file.
 */
export async function openTable(path: string, format: TableFormat): Promise<TableReader> {
  const { size: sizeBytes } = await Deno.stat(path);
  if (format === "csv" || format === "tsv") {
    const reader = await readDelimited(path, DELIMITERS[format]);
    return { format, sizeBytes, ...reader };
  }
  if (format === "jsonl") return { format, layout: null, sizeBytes, ...readJsonl(path) };
  return { format, layout: null, sizeBytes, ...(await readParquet(path)) };
}

/** A table file being written; nothing is at `path` until {@link TableWriter.close}. */
export interface TableWriter {
  /** Appends a row aligned with the columns. */
  write(values: readonly CellValue[]): Promise<void>;
  /**
   * CSV/TSV with a layout and `rawPrefix`: appends a row whose first `rawPrefix` columns
   * are `raw` (a record as read, kept byte for byte) and the rest `extra`. Other
   * formats: undefined.
   */
  writeRaw?: (raw: string, extra: readonly CellValue[]) => Promise<void>;
  /** Finishes the file and moves it into place. */
  close(): Promise<void>;
  /** Drops the partial file. */
  abort(): Promise<void>;
}

/**
 * Starts writing a table file of `format` with `columns`. For CSV and TSV, `layout`
 * sets the BOM and line ending, and with `rawPrefix` > 0 the header is
 * `layout.headerRaw` plus the names of the columns after the first `rawPrefix`.
 */
export async function createTableWriter(
  path: string,
  format: TableFormat,
  columns: readonly TableColumn[],
  options: { layout?: Partial<TextLayout>; rawPrefix?: number } = {},
): Promise<TableWriter> {
  if (format === "csv" || format === "tsv") {
    const writer = await DelimitedWriter.create(
      path,
      DELIMITERS[format],
      columns,
      options.layout,
      options.rawPrefix,
    );
    return {
      write: (values) => writer.write(values),
      writeRaw: (raw, extra) => writer.writeRaw(raw, extra),
      close: () => writer.close(),
      abort: () => writer.abort(),
    };
  }
  const writer = format === "jsonl"
    ? await JsonlWriter.create(path, columns)
    : await ParquetTableWriter.create(path, columns);
  return {
    write: (values) => writer.write(values),
    close: () => writer.close(),
    abort: () => writer.abort(),
  };
}
