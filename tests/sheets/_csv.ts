/**
 * Generated CSV files for the import tests: `id,text,score` records with quoted commas,
 * about 39 bytes a row, written in chunks (a file of millions of rows is never built whole
 * in memory).
 *
 * @module
 */

/** Records per write. */
const CHUNK_ROWS = 10_000;

/**
 * Writes a header and `rows` records to `path`; record `bad` (0-based), if given, is
 * malformed (a quote in the middle of a field), on line `bad + 2` of the file.
 *
 * @returns the file's size in bytes
 */
export async function writeCsv(path: string, rows: number, bad?: number): Promise<number> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  // FsFile.write may write less than it was given.
  const write = async (text: string) => {
    const bytes = encoder.encode(text);
    for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
  };
  await write("id,text,score\n");
  for (let from = 0; from < rows; from += CHUNK_ROWS) {
    let chunk = "";
    for (let i = from; i < Math.min(rows, from + CHUNK_ROWS); i++) {
      chunk += i === bad ? `${i},"broken"x,0\n` : `${i},"Row ${i} says hello, world",${i % 97}\n`;
    }
    await write(chunk);
  }
  return (await file.stat()).size;
}
