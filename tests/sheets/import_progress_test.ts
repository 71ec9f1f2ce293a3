/**
 * Import progress and cancel (app/sheets/imports.ts) on a real SQLite file and a
 * generated CSV of a few MB: events arrive with rows and bytes growing and end at the
 * file's row count and size; a cancel mid-import, or a malformed line deep in the file,
 * leaves no sheet and no rows.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import {
  IMPORT_PROGRESS_INTERVAL_MS,
  SheetImportCancelledError,
  type SheetImportProgress,
  SheetService,
} from "../../app/sheets/mod.ts";
import { openDatabase, type Storage } from "../../storage/mod.ts";
import { createTableWriter, TableFormatError } from "../../tables/mod.ts";
import { stored } from "./_stored.ts";
import { writeCsv } from "./_csv.ts";

/** Rows of the generated file: about 3.9 MB, a second or two to import here. */
const ROWS = 100_000;

/** A service on a fresh database in `dir`, collecting its import events. */
function service(dir: string, intervalMs?: number) {
  const events: { at: number; progress: SheetImportProgress }[] = [];
  const storage = openDatabase(join(dir, "hearth.db"));
  const sheets = new SheetService(storage, {
    generatorFor: () => Promise.reject(new Error("no generation in import tests")),
  }, { intervalMs, onProgress: (progress) => events.push({ at: performance.now(), progress }) });
  return { storage, sheets, events, [Symbol.dispose]: () => storage.close() };
}

function assertNothingKept(storage: Storage, dir: string, sheetId: string): void {
  assertEquals(storage.sheets.get(sheetId), undefined);
  assertEquals(storage.sheets.list(), []);
  assertEquals(stored(dir), { sheets: 0, rows: 0 });
}

Deno.test("SheetImports.run() reports rows and bytes growing, then the file's rows and size", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hearth-import-progress-" });
  try {
    const path = join(dir, "big.csv");
    const size = await writeCsv(path, ROWS);
    assert(size > 3_000_000, `${size} bytes`);
    using s = service(dir, 0);
    const sheet = await s.sheets.import(path);
    assertEquals(sheet.row_count, ROWS);

    const all = s.events.map((e) => e.progress);
    assert(all.every((p) => p.sheet_id === sheet.id && p.name === "big.csv"));
    assert(all.every((p) => p.format === "csv" && p.bytes_total === size));
    const importing = all.filter((p) => p.state === "importing");
    assertEquals(importing[0].rows_done, 0, "the first event comes before any row");
    assert(importing.length > 10, `${importing.length} progress events`);
    for (let i = 1; i < importing.length; i++) {
      assert(importing[i].rows_done > importing[i - 1].rows_done, `rows at event ${i}`);
      assert(importing[i].bytes_read >= importing[i - 1].bytes_read, `bytes at event ${i}`);
    }
    assert(
      importing.some((p) => p.bytes_read > 0 && p.bytes_read < size && p.rows_done > 0),
      "bytes read part way through",
    );
    assert(importing.some((p) => p.rows_per_s > 0 && p.eta_s !== null && p.eta_s > 0));
    const last = all.at(-1)!;
    assertEquals(
      [last.state, last.rows_done, last.bytes_read, last.eta_s, last.error],
      ["done", ROWS, size, 0, null],
    );
    assertEquals(all.filter((p) => p.state !== "importing").length, 1, "one final event");
    assertEquals(s.sheets.imports.list(), []);
    assertEquals(stored(dir), { sheets: 1, rows: ROWS });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SheetImports throttles progress to one event per interval, start and end apart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hearth-import-progress-" });
  try {
    const path = join(dir, "big.csv");
    await writeCsv(path, ROWS);
    const intervalMs = IMPORT_PROGRESS_INTERVAL_MS;
    using s = service(dir);
    await s.sheets.import(path);
    // Events are sent synchronously, so their arrival times are their send times.
    const middle = s.events.slice(1, -1);
    for (let i = 1; i < middle.length; i++) {
      const gap = middle[i].at - middle[i - 1].at;
      assert(gap >= intervalMs - 1, `event ${i} came ${gap.toFixed(1)} ms after the one before`);
    }
    assertEquals(s.events.at(-1)!.progress.state, "done");
    // 100 batches of 1,000 rows were stored: far fewer events than that got out.
    assert(s.events.length < 100, `${s.events.length} events`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SheetImports.cancel() mid-import leaves no sheet and no rows", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hearth-import-progress-" });
  try {
    const path = join(dir, "big.csv");
    await writeCsv(path, ROWS);
    using s = service(dir, 0);
    let cancelled: Promise<SheetImportProgress> | undefined;
    let seenMidway = { sheets: 0, rows: 0 };
    // Its rejection is taken at once: it comes while the loop below still polls.
    const failure = s.sheets.import(path).then(() => null, (error: unknown) => error);
    // Poll the events (each batch sends one) until a good part is in, then cancel.
    while (!cancelled) {
      const p = s.events.at(-1)?.progress;
      if (p && p.rows_done >= 20_000) {
        seenMidway = stored(dir);
        cancelled = s.sheets.imports.cancel(p.sheet_id);
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const error = await failure;
    assert(error instanceof SheetImportCancelledError, String(error));
    assertEquals(error.message, 'Import of "big.csv" cancelled: nothing was kept');
    const final = await cancelled;
    assertEquals(final.state, "cancelled");
    assert(final.rows_done >= 20_000 && final.rows_done < ROWS, `${final.rows_done} rows`);
    // The rows were there (the import was real), and now they are gone.
    assert(seenMidway.rows >= 20_000, JSON.stringify(seenMidway));
    assertNothingKept(s.storage, dir, final.sheet_id);
    assertEquals(s.events.at(-1)!.progress.state, "cancelled");
    assertEquals(s.sheets.imports.list(), []);
    await assertRejects(() => s.sheets.imports.cancel(final.sheet_id), Error, "Cannot find import");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SheetImports.run(): a signal aborted mid-import (Ctrl+C in the CLI) keeps nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hearth-import-progress-" });
  try {
    const path = join(dir, "big.csv");
    await writeCsv(path, ROWS);
    const controller = new AbortController();
    const storage = openDatabase(join(dir, "hearth.db"));
    let sheetId = "";
    const sheets = new SheetService(storage, {
      generatorFor: () => Promise.reject(new Error("unused")),
    }, {
      intervalMs: 0,
      onProgress: (p) => {
        sheetId = p.sheet_id;
        if (p.rows_done >= 5_000) controller.abort();
      },
    });
    try {
      await assertRejects(
        () => sheets.import(path, { signal: controller.signal }),
        SheetImportCancelledError,
      );
      assertNothingKept(storage, dir, sheetId);
    } finally {
      storage.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SheetImports.run(): a malformed line deep in the file fails, naming it, keeping nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hearth-import-progress-" });
  try {
    const path = join(dir, "bad.csv");
    // Record 30,000 is row 30,001 of the data and line 30,002 of the file.
    await writeCsv(path, 40_000, 30_000);
    using s = service(dir, 0);
    await assertRejects(() => s.sheets.import(path), TableFormatError, "line 30002");
    const last = s.events.at(-1)!.progress;
    assertEquals(last.state, "failed");
    assert(last.error?.includes("line 30002"), last.error ?? "no error");
    assert(last.rows_done >= 29_000, `${last.rows_done} rows were in before the bad line`);
    assertNothingKept(s.storage, dir, last.sheet_id);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JSONL and Parquet imports report bytes read growing to the file's size", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hearth-import-progress-" });
  try {
    const rows = 30_000;
    const columns = [{ name: "id", type: "number" as const }, {
      name: "text",
      type: "string" as const,
    }];
    for (const format of ["jsonl", "parquet"] as const) {
      const path = join(dir, `t.${format}`);
      const writer = await createTableWriter(path, format, columns);
      for (let i = 0; i < rows; i++) await writer.write([i, `Row ${i} says hello, world`]);
      await writer.close();
      const size = (await Deno.stat(path)).size;
      using s = service(dir, 0);
      const sheet = await s.sheets.import(path);
      assertEquals(sheet.row_count, rows, format);
      const all = s.events.map((e) => e.progress).filter((p) => p.sheet_id === sheet.id);
      for (let i = 1; i < all.length; i++) {
        assert(all[i].bytes_read >= all[i - 1].bytes_read, `${format}: bytes at event ${i}`);
      }
      assert(all.some((p) => p.bytes_read > 0 && p.bytes_read < size), `${format}: part way`);
      const last = all.at(-1)!;
      assertEquals([last.state, last.format, last.bytes_read, last.bytes_total], [
        "done",
        format,
        size,
        size,
      ]);
      s.storage.sheets.delete(sheet.id);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
