/**
 * JSON Lines: one JSON object per line, streamed line by line (node:readline over a
 * file stream; "\r\n" and "\n" both end a line). Columns are the keys in the order
 * first seen; a key that first appears on a later line adds a column, and rows without
 * a key have null there. Objects and arrays in a field are kept as their JSON text
 * (column type "json").
 *
 * @module
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { TableFormatError } from "./errors.ts";
import { FileSink } from "./_sink.ts";
import type { CellValue, ColumnType, TableColumn, TableRecord } from "./types.ts";

/** A JSONL file being read; `columns` grows as new keys appear. */
export interface JsonlReader {
  columns: TableColumn[];
  rows: AsyncGenerator<TableRecord>;
  /** Bytes of the file read so far (ahead of the rows yielded by the stream's buffer). */
  bytesRead(): number;
}

function cell(value: unknown): { value: CellValue; type: ColumnType | undefined } {
  if (value === null || value === undefined) return { value: null, type: undefined };
  if (typeof value === "string") return { value, type: "string" };
  if (typeof value === "number") return { value, type: "number" };
  if (typeof value === "boolean") return { value, type: "boolean" };
  return { value: JSON.stringify(value), type: "json" };
}

/**
 * Opens a JSONL file. Blank lines are skipped.
 *
 * @throws {TableFormatError} (from the rows generator) for a line that is not a JSON
 *   object, naming it.
 */
export function readJsonl(path: string): JsonlReader {
  const columns: TableColumn[] = [];
  const index = new Map<string, number>();
  // Opened with the first row asked for, as before: a reader never read opens no file.
  let stream: ReturnType<typeof createReadStream> | undefined;
  async function* rows(): AsyncGenerator<TableRecord> {
    stream = createReadStream(path, { encoding: "utf8" });
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    let line = 0;
    try {
      for await (let text of lines) {
        line++;
        if (line === 1 && text.startsWith("\ufeff")) text = text.slice(1);
        if (text.trim() === "") continue;
        let object: unknown;
        try {
          object = JSON.parse(text);
        } catch (error) {
          throw new TableFormatError(path, line, `not valid JSON: ${(error as Error).message}`);
        }
        if (typeof object !== "object" || object === null || Array.isArray(object)) {
          throw new TableFormatError(path, line, "expected a JSON object");
        }
        const values: CellValue[] = new Array(columns.length).fill(null);
        for (const [key, raw] of Object.entries(object)) {
          const { value, type } = cell(raw);
          let at = index.get(key);
          if (at === undefined) {
            at = columns.length;
            index.set(key, at);
            columns.push({ name: key, type: type ?? "string" });
          } else if (type && columns[at].type !== type) {
            // Mixed types in one column: keep everything as text.
            columns[at].type = "string";
          }
          values[at] = value;
        }
        yield { values, line };
      }
    } finally {
      lines.close();
      stream.destroy();
    }
  }
  return { columns, rows: rows(), bytesRead: () => stream?.bytesRead ?? 0 };
}

/** Writes a JSONL file, one object per row with the columns as keys. */
export class JsonlWriter {
  readonly #sink: FileSink;
  readonly #columns: readonly TableColumn[];

  private constructor(sink: FileSink, columns: readonly TableColumn[]) {
    this.#sink = sink;
    this.#columns = columns;
  }

  /** Starts the file. */
  static async create(path: string, columns: readonly TableColumn[]): Promise<JsonlWriter> {
    return new JsonlWriter(await FileSink.create(path), columns);
  }

  /** Appends one row; "json" columns go out as the JSON they hold. */
  async write(values: readonly CellValue[]): Promise<void> {
    const object: Record<string, unknown> = {};
    this.#columns.forEach((column, i) => {
      const value = values[i] ?? null;
      object[column.name] = column.type === "json" && typeof value === "string"
        ? parseOr(value)
        : value;
    });
    await this.#sink.write(JSON.stringify(object) + "\n");
  }

  /** Finishes the file (renamed into place). */
  close(): Promise<void> {
    return this.#sink.close();
  }

  /** Drops the file. */
  abort(): Promise<void> {
    return this.#sink.abort();
  }
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
