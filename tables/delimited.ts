/**
 * CSV and TSV as RFC 4180 has them, streamed: csv-parse reads record by record (a
 * quoted field may hold delimiters, quotes and line breaks), csv-stringify writes. The
 * first record is the header. A UTF-8 BOM and CRLF are detected from the first bytes
 * and kept in {@link TextLayout}, with each record's raw text, so a writer can give back
 * the input bytes unchanged.
 *
 * csv-parse and csv-stringify (the `csv` project, Adaltas) are the most used CSV
 * parser and writer on npm, maintained since 2010, pure JS, streaming.
 *
 * @module
 */
import { createReadStream } from "node:fs";
import { CsvError, parse } from "csv-parse";
import { stringify } from "csv-stringify/sync";
import { TableFormatError } from "./errors.ts";
import { FileSink } from "./_sink.ts";
import type { CellValue, TableColumn, TableRecord, TextLayout } from "./types.ts";

/** The field delimiter of each delimited format. */
export const DELIMITERS = { csv: ",", tsv: "\t" } as const;

/** Bytes read to find the BOM and the line ending (64 KiB). */
const PEEK_BYTES = 1 << 16;

/** A delimited file being read: its header, layout and rows. */
export interface DelimitedReader {
  columns: TableColumn[];
  layout: TextLayout;
  rows: AsyncGenerator<TableRecord>;
  /** Bytes of the file read so far (ahead of the rows yielded by the stream's buffer). */
  bytesRead(): number;
}

async function peekLayout(path: string): Promise<{ bom: boolean; eol: "\n" | "\r\n" }> {
  using file = await Deno.open(path);
  const buffer = new Uint8Array(PEEK_BYTES);
  const n = (await file.read(buffer)) ?? 0;
  const head = buffer.subarray(0, n);
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const newline = head.indexOf(0x0a);
  return { bom, eol: newline > 0 && head[newline - 1] === 0x0d ? "\r\n" : "\n" };
}

/**
 * csv-parse's error as a {@link TableFormatError} naming `recordLine`, the line where
 * the faulty record starts. csv-parse's own line count is not used: it counts a CRLF
 * inside a quoted field as two lines (so every line after one was named wrong), and a
 * quote never closed is only found at the end of the file, which it names.
 */
function parseError(path: string, error: unknown, recordLine: number): unknown {
  // By class, not by a "CSV_" code prefix: csv-parse's INVALID_OPENING_QUOTE lacks it.
  if (!(error instanceof CsvError)) return error;
  const reason = error.code === "CSV_QUOTE_NOT_CLOSED"
    ? "a quoted field of the record starting here is never closed: the file ends inside it"
    : error.message.replace(/ (?:on|at) line \d+/g, "");
  return new TableFormatError(path, recordLine, reason, { cause: error });
}

/** Line breaks in `text`: CRLF, LF and a lone CR each count one, as editors count them. */
function lineBreaks(text: string): number {
  // Most records hold no line break: skip the regex (this runs for every record).
  if (!text.includes("\n") && !text.includes("\r")) return 0;
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/**
 * Opens a CSV (`delimiter` ",") or TSV ("\t") file: reads the header record and
 * returns the rows as an async generator (one record at a time; the file is never
 * read whole). Every record must have as many fields as the header.
 *
 * @throws {TableFormatError} for an empty file or duplicate column names; the rows
 *   generator throws it for a malformed record, naming its line.
 * @throws {Deno.errors.NotFound} for a missing file.
 */
export async function readDelimited(path: string, delimiter: string): Promise<DelimitedReader> {
  const { bom, eol } = await peekLayout(path);
  const stream = createReadStream(path);
  // The line the last record parsed ends on. Counted as csv-parse parses (on_record),
  // not as records are yielded: a parse error can surface before records parsed ahead
  // of it in the same chunk are yielded.
  let lastLine = 0;
  const parser = stream.pipe(parse({
    delimiter,
    record_delimiter: eol,
    bom: true,
    raw: true,
    info: true,
    // RFC 4180 has no escape but the doubled quote; TSV files are rarely quoted, but
    // when they are it is the same rule.
    relax_column_count: false,
    // With raw and info on, csv-parse hands on_record the {record, raw, info} it yields
    // (its types say string[]).
    on_record: (parsed: unknown) => {
      const record = parsed as { raw: string; info: { lines: number } };
      lastLine += 1 + lineBreaks(trimEol(record.raw, eol));
      record.info.lines = lastLine;
      return record as never;
    },
  }));
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<
    { record: string[]; raw: string; info: { lines: number } }
  >;
  let first;
  try {
    first = await iterator.next();
  } catch (error) {
    parser.destroy();
    throw parseError(path, error, lastLine + 1);
  }
  if (first.done) {
    parser.destroy();
    throw new TableFormatError(path, 0, "is empty: expected a header row");
  }
  const names = first.value.record;
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      parser.destroy();
      throw new TableFormatError(path, 1, `the header names column "${name}" twice`);
    }
    seen.add(name);
  }
  const layout: TextLayout = { bom, eol, headerRaw: trimEol(first.value.raw, eol) };
  async function* rows(): AsyncGenerator<TableRecord> {
    try {
      while (true) {
        let next;
        try {
          next = await iterator.next();
        } catch (error) {
          throw parseError(path, error, lastLine + 1);
        }
        if (next.done) return;
        const { record, raw, info } = next.value;
        yield { values: record, raw: trimEol(raw, eol), line: info.lines };
      }
    } finally {
      parser.destroy();
    }
  }
  return {
    columns: names.map((name) => ({ name, type: "string" })),
    layout,
    rows: rows(),
    bytesRead: () => stream.bytesRead,
  };
}

/** A record's raw text without the record delimiter csv-parse may leave on it. */
function trimEol(raw: string, eol: string): string {
  if (raw.endsWith(eol)) return raw.slice(0, -eol.length);
  if (eol === "\r\n" && raw.endsWith("\r")) return raw.slice(0, -1);
  return raw;
}

/** Writes a CSV or TSV file; see {@link DelimitedWriter.create}. */
export class DelimitedWriter {
  readonly #sink: FileSink;
  readonly #delimiter: string;
  readonly #eol: string;

  private constructor(sink: FileSink, delimiter: string, eol: string) {
    this.#sink = sink;
    this.#delimiter = delimiter;
    this.#eol = eol;
  }

  /**
   * Starts a file with `columns` as its header, laid out as `layout` (default: no BOM,
   * "\n"). With `layout.headerRaw` and `rawPrefix` > 0, the header is that raw text
   * followed by the names of the columns after the first `rawPrefix`.
   */
  static async create(
    path: string,
    delimiter: string,
    columns: readonly TableColumn[],
    layout?: Partial<TextLayout>,
    rawPrefix = 0,
  ): Promise<DelimitedWriter> {
    const sink = await FileSink.create(path);
    const writer = new DelimitedWriter(sink, delimiter, layout?.eol ?? "\n");
    try {
      if (layout?.bom) await sink.write("\ufeff");
      const names = columns.map((c) => c.name);
      if (rawPrefix > 0 && layout?.headerRaw !== undefined) {
        await writer.writeRaw(layout.headerRaw, names.slice(rawPrefix));
      } else {
        await writer.write(names);
      }
    } catch (error) {
      await sink.abort();
      throw error;
    }
    return writer;
  }

  #line(values: readonly CellValue[]): string {
    return stringify([values.map((v) => v ?? "")], {
      delimiter: this.#delimiter,
      record_delimiter: this.#eol,
      // csv-stringify quotes a field holding the record delimiter, not a lone "\n" or
      // "\r"; RFC 4180 wants every line break inside a field quoted.
      quoted_match: /[\r\n]/,
      cast: { boolean: (value) => String(value), number: (value) => String(value) },
    });
  }

  /** Appends one record. */
  async write(values: readonly CellValue[]): Promise<void> {
    await this.#sink.write(this.#line(values));
  }

  /**
   * Appends one record made of `raw` (a record's bytes as read, unchanged) and then
   * `extra` fields, if any.
   */
  async writeRaw(raw: string, extra: readonly CellValue[]): Promise<void> {
    if (extra.length === 0) return await this.#sink.write(raw + this.#eol);
    await this.#sink.write(raw + this.#delimiter + this.#line(extra));
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
