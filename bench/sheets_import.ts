/**
 * `deno run -A bench/sheets_import.ts [--mib 1024] [--dir /tmp]`: a sheet import of a large
 * CSV (app/sheets/transfer.ts `importSheet`, the path the app and `deno task sheet` take)
 * into a fresh SQLite file: rows/s, MiB/s and this process's peak RSS (`VmHWM` of
 * /proc/self/status, read after the import: the most resident memory the process ever
 * held, Deno itself included). The CSV is generated first (RFC 4180 quoting, commas and
 * doubled quotes inside fields, an embedded newline every 100th row, about 110 bytes a
 * row) in a temp folder under `--dir`, and deleted with the database at the end.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { importSheet } from "../app/sheets/transfer.ts";
import { openDatabase } from "../storage/mod.ts";

/** The process's resident memory, and its peak so far, in MiB (Linux /proc). */
export async function rssMib(): Promise<{ rss: number; peak: number }> {
  const status = await Deno.readTextFile("/proc/self/status");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Writes a CSV of at least `bytes` bytes; returns its rows (records after the header). */
async function writeCsv(path: string, bytes: number): Promise<number> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  let written = 0;
  let rows = 0;
  await file.write(encoder.encode("id,title,body,score\n"));
  while (written < bytes) {
    let chunk = "";
    for (let i = 0; i < 10_000; i++, rows++) {
      const body = rows % 100 === 0
        ? `"Line one of ticket ${rows},\nline two with a ""quote"""`
        : `"Customer ${rows} says: the order, placed on Monday, arrived late and damaged"`;
      chunk += `${rows},Ticket ${rows % 977},${body},${(rows % 50) / 10}\n`;
    }
    const data = encoder.encode(chunk);
    await file.write(data);
    written += data.length;
  }
  return rows;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { mib: { type: "string", default: "1024" }, dir: { type: "string", default: "/tmp" } },
  });
  const dir = await Deno.makeTempDir({ dir: values.dir, prefix: "hearth-sheets-import-" });
  try {
    const csv = join(dir, "big.csv");
    const rows = await writeCsv(csv, Number(values.mib) * (1 << 20));
    const size = (await Deno.stat(csv)).size;
    const before = await rssMib();
    const storage = openDatabase(join(dir, "sheets.db"));
    const started = performance.now();
    const sheet = await importSheet(storage, csv);
    const seconds = (performance.now() - started) / 1000;
    storage.close();
    const after = await rssMib();
    if (sheet.row_count !== rows) throw new Error(`imported ${sheet.row_count} of ${rows} rows`);
    const dbBytes = (await Deno.stat(join(dir, "sheets.db"))).size;
    console.log("| CSV | rows | s | rows/s | MiB/s | RSS before (MiB) | peak RSS (MiB) | DB |");
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    console.log(
      `| ${(size / (1 << 20)).toFixed(0)} MiB | ${rows} | ${seconds.toFixed(1)} | ` +
        `${(rows / seconds).toFixed(0)} | ${(size / (1 << 20) / seconds).toFixed(1)} | ` +
        `${before.rss.toFixed(0)} | ${after.peak.toFixed(0)} | ` +
        `${(dbBytes / (1 << 20)).toFixed(0)} MiB |`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
