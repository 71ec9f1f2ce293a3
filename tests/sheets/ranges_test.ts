/**
 * Generating one cell or a range of rows, on a real SQLite database and the real
 * stories260K engine: only the cells asked for are generated, and the rest stay empty.
 */
import { assertEquals, assertThrows } from "../assert.ts";
import { SheetFixture } from "./_helpers.ts";

const ROWS = 10;

Deno.test("generate one cell, then a range: only those rows get a cell", async () => {
  await using f = new SheetFixture({ parallel: 2 });
  const lines = Array.from({ length: ROWS }, (_, i) => `${i},Once upon a time a frog number ${i}.`);
  const sheet = await f.service.import(f.file("s.csv", ["id,text", ...lines].join("\n")));
  const column = f.service.addColumn(sheet.id, {
    name: "next",
    kind: "ai",
    ai: { prompt: "Continue: {{text}}", max_tokens: 4, sampling: { temperature: 0 } },
  });
  const generated = () =>
    f.storage.sheets.cells(column.id, 0, ROWS).filter((c) => c.state === "done")
      .map((c) => c.row_idx);

  const one = f.service.generate(column.id, { from: 7, to: 8 });
  assertEquals([one.row_start, one.row_end], [7, 8]);
  assertEquals((await f.service.jobs.wait(one.id)).state, "done");
  assertEquals(generated(), [7]);
  const seven = f.storage.sheets.cell(column.id, 7);

  const range = f.service.generate(column.id, { from: 2, to: 5 });
  assertEquals((await f.service.jobs.wait(range.id)).state, "done");
  assertEquals(generated(), [2, 3, 4, 7]);
  assertEquals(f.service.progress(column.id)?.rows_total, 3);

  // "missing" over the whole column fills the rest and leaves row 7 as it was.
  const rest = f.service.generate(column.id);
  assertEquals((await f.service.jobs.wait(rest.id)).state, "done");
  assertEquals(generated(), Array.from({ length: ROWS }, (_, i) => i));
  assertEquals(f.storage.sheets.cell(column.id, 7), seven);

  // A range holding no row of the sheet is refused, naming it.
  assertThrows(
    () => f.service.generate(column.id, { from: ROWS, to: ROWS + 3 }),
    RangeError,
    "[10, 10)",
  );
});
