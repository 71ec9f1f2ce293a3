/**
 * Parquet through hyparquet (reader) and hyparquet-writer (writer): pure-JS, no native
 * code, so they run on Deno as they are; maintained by Hyperparam, dependency-free,
 * and both stream: the reader fetches row groups by byte range, the writer appends row
 * groups and flushes the file every 1 MB. DuckDB's node API would need a native addon
 * per platform.
 *
 * Top-level columns only: a nested column (struct, list, map) is read as its JSON text.
 *
 * @module
 */
import { type AsyncBuffer, parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";
import { fileWriter, ParquetWriter, schemaFromColumnData } from "hyparquet-writer";
import { TableFormatError } from "./errors.ts";
import type { CellValue, ColumnType, TableColumn, TableRecord } from "./types.ts";

/** Rows read per parquetRead call, and per row group written. */
const CHUNK_ROWS = 10_000;

/** A Parquet file being read. */
export interface ParquetReader {
  columns: TableColumn[];
  rows: AsyncGenerator<TableRecord>;
  /**
   * The file's size times the fraction of its rows yielded: hyparquet reads by row group
   * and column chunk, not front to back, so this is how far through the file the rows are.
   */
  bytesRead(): number;
}

async function fileBuffer(path: string): Promise<{ buffer: AsyncBuffer; file: Deno.FsFile }> {
  const file = await Deno.open(path);
  const { size } = await file.stat();
  return {
    file,
    buffer: {
      byteLength: size,
      async slice(start: number, end?: number): Promise<ArrayBuffer> {
        const stop = end ?? size;
        const bytes = new Uint8Array(stop - start);
        await file.seek(start, Deno.SeekMode.Start);
        let at = 0;
        while (at < bytes.length) {
          const n = await file.read(bytes.subarray(at));
          if (n === null) break;
          at += n;
        }
        return bytes.buffer;
      },
    },
  };
}

function columnType(element: { type?: string; converted_type?: string }): ColumnType {
  switch (element.type) {
    case "BOOLEAN":
      return "boolean";
    case "INT32":
    case "INT64":
    case "FLOAT":
    case "DOUBLE":
      return element.converted_type?.startsWith("DATE") ||
          element.converted_type?.startsWith("TIME")
        ? "string"
        : "number";
    case undefined:
      return "json";
    default:
      return element.converted_type === "JSON" ? "json" : "string";
  }
}

function toCell(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return btoa(String.fromCharCode(...value));
  return JSON.stringify(value, (_k, v) => typeof v === "bigint" ? v.toString() : v);
}

/**
 * Opens a Parquet file: its schema now, its rows CHUNK_ROWS at a time.
 *
 * @throws {TableFormatError} for a file that is not Parquet.
 */
export async function readParquet(path: string): Promise<ParquetReader> {
  const { buffer, file } = await fileBuffer(path);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    file.close();
    throw new TableFormatError(path, 0, `is not a Parquet file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const schema = parquetSchema(metadata);
  const columns = schema.children.map((child) => ({
    name: child.element.name,
    type: child.children.length > 0 ? "json" as const : columnType(child.element),
  }));
  const total = Number(metadata.num_rows);
  let yielded = 0;
  async function* rows(): AsyncGenerator<TableRecord> {
    try {
      for (let start = 0; start < total; start += CHUNK_ROWS) {
        const end = Math.min(total, start + CHUNK_ROWS);
        let chunk: unknown[][] = [];
        await parquetRead({
          file: buffer,
          metadata,
          rowStart: start,
          rowEnd: end,
          onComplete: (read: unknown[][]) => {
            chunk = read;
          },
        });
        for (let i = 0; i < chunk.length; i++) {
          yielded++;
          yield { values: chunk[i].map(toCell), line: start + i + 1 };
        }
      }
    } finally {
      file.close();
    }
  }
  const size = buffer.byteLength;
  return {
    columns,
    rows: rows(),
    bytesRead: () => total === 0 ? size : Math.round(size * yielded / total),
  };
}

const PARQUET_TYPES = { string: "STRING", number: "DOUBLE", boolean: "BOOLEAN", json: "JSON" };

/** Writes a Parquet file, a row group every CHUNK_ROWS rows. */
export class ParquetTableWriter {
  readonly #path: string;
  readonly #partial: string;
  readonly #columns: readonly TableColumn[];
  readonly #writer: ParquetWriter;
  #pending: CellValue[][];
  #count = 0;
  #done = false;

  private constructor(path: string, columns: readonly TableColumn[]) {
    this.#path = path;
    this.#partial = `${path}.partial-${Deno.pid}`;
    this.#columns = columns;
    this.#pending = columns.map(() => []);
    const schema = schemaFromColumnData({
      columnData: columns.map((c) => ({
        name: c.name,
        data: [],
        type: PARQUET_TYPES[c.type] as "STRING",
        nullable: true,
      })),
    });
    this.#writer = new ParquetWriter({ writer: fileWriter(this.#partial), schema });
  }

  /** Starts the file. */
  static create(path: string, columns: readonly TableColumn[]): Promise<ParquetTableWriter> {
    return Promise.resolve(new ParquetTableWriter(path, columns));
  }

  /** Appends one row; a value that does not fit its column's type is written as null. */
  write(values: readonly CellValue[]): Promise<void> {
    this.#columns.forEach((column, i) => this.#pending[i].push(fit(column.type, values[i])));
    if (++this.#count >= CHUNK_ROWS) this.#flush();
    return Promise.resolve();
  }

  #flush(): void {
    if (this.#count === 0) return;
    this.#writer.write({
      columnData: this.#columns.map((c, i) => ({
        name: c.name,
        // hyparquet-writer stringifies a JSON column's values itself.
        data: c.type === "json" ? this.#pending[i].map(parseJsonCell) : this.#pending[i],
      })),
      rowGroupSize: CHUNK_ROWS,
    });
    this.#pending = this.#columns.map(() => []);
    this.#count = 0;
  }

  /** Finishes the file (renamed into place). */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#flush();
    this.#writer.finish();
    await Deno.rename(this.#partial, this.#path);
  }

  /** Drops the file. */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await Deno.remove(this.#partial).catch(() => {});
  }
}

function fit(type: ColumnType, value: CellValue | undefined): CellValue {
  if (value === null || value === undefined) return null;
  if (type === "number") return typeof value === "number" ? value : numberOrNull(value);
  if (type === "boolean") return typeof value === "boolean" ? value : value === "true";
  if (type === "json") return typeof value === "string" ? value : JSON.stringify(value);
  return String(value);
}

function numberOrNull(value: CellValue): number | null {
  const n = Number(value);
  return value !== "" && Number.isFinite(n) ? n : null;
}

function parseJsonCell(value: CellValue): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
