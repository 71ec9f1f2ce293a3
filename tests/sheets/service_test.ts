/**
 * The sheets service on real files, a real SQLite database and the real stories260K
 * engine: import, generate, few-shot prompts, regenerate, retry, pause/resume/cancel,
 * structured output, export.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { SheetColumnError, SheetJobConflictError } from "../../app/sheets/mod.ts";
import { TableFormatError } from "../../tables/mod.ts";
import { SheetFixture, until } from "./_helpers.ts";

const STORIES = [
  "id,text",
  "1,Lily saw a big red ball in the park.",
  '2,"Tom had a dog, and the dog liked to run."',
  "3,The sun was warm and the birds sang.",
  "4,Sue baked a cake for her mom.",
  "5,Ben found a shiny rock by the river.",
].join("\n") + "\n";

Deno.test("approved and hand-edited cells are the examples in the next prompt; regenerate keeps them", async () => {
  await using f = new SheetFixture();
  const sheet = await f.service.import(f.file("stories.csv", STORIES));
  assertEquals(sheet.row_count, 5);
  const column = f.service.addColumn(sheet.id, {
    name: "summary",
    kind: "ai",
    ai: {
      prompt: "Summarize in one sentence: {{text}}",
      max_tokens: 6,
      sampling: { temperature: 0 },
    },
  });
  const job = f.service.generate(column.id);
  assertEquals((await f.service.jobs.wait(job.id)).state, "done");
  const first = f.storage.sheets.cells(column.id, 0, 5);
  assertEquals(first.map((c) => c.state), ["done", "done", "done", "done", "done"]);
  assert(first.every((c) => c.value !== null && c.tokens! > 0 && c.model !== null));

  f.service.approveCell(column.id, 0);
  f.service.setCell(column.id, 2, "A hand-written summary.");
  const prompt = f.service.prompt(column.id, 4);
  assertEquals(
    prompt.messages.at(-1)!.content,
    "# Instructions\nSummarize in one sentence: {{text}}\n\n" +
      `## Example\ntext: Lily saw a big red ball in the park.\nOutput: ${first[0].value}\n\n` +
      "## Example\ntext: The sun was warm and the birds sang.\nOutput: A hand-written summary.\n\n" +
      "## Row\ntext: Ben found a shiny rock by the river.\nOutput:",
  );
  // The shared part comes first, the row's own text last: a prefix every row shares.
  assertEquals(prompt.row, "## Row\ntext: Ben found a shiny rock by the river.\nOutput:");
  assertEquals(f.service.prompt(column.id, 3).shared, prompt.shared);
  // A row's own example is not shown to it.
  assert(!f.service.prompt(column.id, 0).shared.includes("Lily"));

  const again = f.service.generate(column.id, { mode: "all" });
  assertEquals((await f.service.jobs.wait(again.id)).state, "done");
  const after = f.storage.sheets.cells(column.id, 0, 5);
  assertEquals(after.map((c) => c.state), ["approved", "done", "edited", "done", "done"]);
  assertEquals(after[0].value, first[0].value);
  assertEquals(after[0].updated_at, f.storage.sheets.cell(column.id, 0)!.updated_at);
  assertEquals(after[2].value, "A hand-written summary.");
  const progress = f.service.progress(column.id)!;
  assertEquals([progress.rows_done, progress.rows_total, progress.state], [5, 5, "done"]);
});

Deno.test("a malformed file imports nothing and names the line", async () => {
  await using f = new SheetFixture();
  const rows = Array.from({ length: 2500 }, (_, i) => `${i},row ${i}`);
  rows[2100] = '2100,"bad"quote';
  const path = f.file("bad.csv", ["id,text", ...rows].join("\n") + "\n");
  const error = await assertRejects(() => f.service.import(path), TableFormatError);
  assertEquals((error as TableFormatError).line, 2102);
  assertEquals(f.service.list(), []);
  // Not even a half-imported sheet waits to be cleaned up.
  assertEquals(f.storage.sheets.deleteUnfinishedImports(), 0);
});

Deno.test("a bad column is refused with a clear reason", async () => {
  await using f = new SheetFixture();
  const sheet = await f.service.import(f.file("s.csv", STORIES));
  assertThrows(
    () => f.service.addColumn(sheet.id, { name: "x", kind: "ai", ai: { prompt: "Use {{nope}}" } }),
    SheetColumnError,
    'no column "nope"',
  );
  assertThrows(
    () => f.service.addColumn(sheet.id, { name: "text", kind: "data" }),
    SheetColumnError,
    "already",
  );
  assertThrows(
    () =>
      f.service.addColumn(sheet.id, {
        name: "y",
        kind: "ai",
        ai: { prompt: "{{text}}", json_schema: { type: "string", pattern: "a+" } },
      }),
    SheetColumnError,
    "pattern",
  );
});

Deno.test("pause keeps the finished cells, resume finishes the rest, cancel unqueues", async () => {
  await using f = new SheetFixture({ parallel: 1 });
  const lines = Array.from(
    { length: 12 },
    (_, i) => `${i},Once upon a time there was a cat number ${i}.`,
  );
  const sheet = await f.service.import(f.file("many.csv", ["id,text", ...lines].join("\n")));
  const column = f.service.addColumn(sheet.id, {
    name: "next",
    kind: "ai",
    ai: { prompt: "Continue: {{text}}", max_tokens: 24 },
  });
  const job = f.service.generate(column.id);
  const counts = () => f.storage.sheets.counts(column.id, 0, 12);
  await until(() => counts().done >= 2);
  assertEquals((await f.service.jobs.pause(job.id)).state, "paused");
  const paused = counts();
  assert(paused.queued > 0, JSON.stringify(paused));
  assertThrows(() => f.service.generate(column.id), SheetJobConflictError);
  const values = f.storage.sheets.cells(column.id, 0, 12).filter((c) => c.state === "done");
  f.service.jobs.resume(job.id);
  assertEquals((await f.service.jobs.wait(job.id)).state, "done");
  assertEquals(counts().done, 12);
  // Cells finished before the pause were not generated again.
  for (const cell of values) assertEquals(f.storage.sheets.cell(column.id, cell.row_idx), cell);

  const redo = f.service.generate(column.id, { mode: "all", from: 4, to: 8 });
  assertEquals((await f.service.jobs.cancel(redo.id)).state, "cancelled");
  assertEquals(counts().queued, 0);
  assertEquals(counts().done, 12);
});

Deno.test("a failed cell keeps its error; retry failed reruns only those", async () => {
  await using f = new SheetFixture({ nCtxPerSlot: 256 });
  const long = "word ".repeat(400).trim();
  const sheet = await f.service.import(
    f.file("s.csv", `id,text\n1,A short story.\n2,${long}\n3,Another short one.\n`),
  );
  const column = f.service.addColumn(sheet.id, {
    name: "out",
    kind: "ai",
    ai: { prompt: "Go on: {{text}}", max_tokens: 4 },
  });
  await f.service.jobs.wait(f.service.generate(column.id).id);
  const cells = f.storage.sheets.cells(column.id, 0, 3);
  assertEquals(cells.map((c) => c.state), ["done", "error", "done"]);
  assert(cells[1].error!.length > 0);
  const text = f.storage.sheets.columns(sheet.id).find((c) => c.name === "text")!;
  f.service.setCell(text.id, 1, "Now it is short.");
  const done = cells.filter((c) => c.state === "done");
  await f.service.jobs.wait(f.service.retryFailed(column.id).id);
  assertEquals(f.storage.sheets.cells(column.id, 0, 3).map((c) => c.state), [
    "done",
    "done",
    "done",
  ]);
  for (const cell of done) assertEquals(f.storage.sheets.cell(column.id, cell.row_idx), cell);
});

Deno.test("a JSON-schema column's cells are JSON matching the schema", async () => {
  await using f = new SheetFixture();
  const sheet = await f.service.import(f.file("s.csv", STORIES));
  const column = f.service.addColumn(sheet.id, {
    name: "mood",
    kind: "ai",
    ai: {
      prompt: "Mood of: {{text}}",
      max_tokens: 48,
      json_schema: {
        type: "object",
        properties: { mood: { enum: ["happy", "sad"] } },
        required: ["mood"],
      },
    },
  });
  await f.service.jobs.wait(f.service.generate(column.id).id);
  for (const cell of f.storage.sheets.cells(column.id, 0, 5)) {
    assertEquals(cell.state, "done");
    assert(["happy", "sad"].includes(JSON.parse(cell.value!).mood), cell.value!);
  }
});

Deno.test("export keeps a CSV's bytes and adds the AI column; JSONL and Parquet round-trip", async () => {
  await using f = new SheetFixture();
  const input = '\ufeffid,text\r\n1,"Lily, the cat"\r\n2,"line one\r\nline two"\r\n';
  const sheet = await f.service.import(f.file("in.csv", input));
  const column = f.service.addColumn(sheet.id, {
    name: "note",
    kind: "ai",
    ai: { prompt: "{{text}}", max_tokens: 2 },
  });
  f.service.setCell(column.id, 0, 'said "hi"');
  f.service.setCell(column.id, 1, "plain");
  await f.service.export(sheet.id, `${f.dir}/out.csv`);
  assertEquals(
    await Deno.readTextFile(`${f.dir}/out.csv`),
    '\ufeffid,text,note\r\n1,"Lily, the cat","said ""hi"""\r\n2,"line one\r\nline two",plain\r\n',
  );
  for (const ext of ["jsonl", "parquet"]) {
    await f.service.export(sheet.id, `${f.dir}/out.${ext}`);
    const back = await f.service.import(`${f.dir}/out.${ext}`);
    const view = f.service.rows(back.id, 0, 10);
    assertEquals(view.columns.map((c) => c.name), ["id", "text", "note"]);
    assertEquals(
      view.rows.map((r) => view.columns.map((c) => r.data[c.id])),
      [["1", "Lily, the cat", 'said "hi"'], ["2", "line one\r\nline two", "plain"]],
    );
  }
});

Deno.test("a sheet's parallel setting caps the rows generated at once", async () => {
  await using f = new SheetFixture({ parallel: 4, sheetParallel: true });
  const sheet = await f.service.import(f.file("stories.csv", STORIES));
  assertEquals(sheet.parallel, 8);
  assertEquals(f.service.setParallel(sheet.id, 2).parallel, 2);
  assertThrows(() => f.service.setParallel(sheet.id, 0), RangeError);
  assertThrows(() => f.service.setParallel(sheet.id, 1.5), RangeError);
  const column = f.service.addColumn(sheet.id, {
    name: "more",
    kind: "ai",
    ai: { prompt: "{{text}}", max_tokens: 4, sampling: { temperature: 0 } },
  });
  assertEquals((await f.service.jobs.wait(f.service.generate(column.id).id)).state, "done");
  assertEquals(f.maxInFlight, 2);
  // Above the model's 4 slots, the slots cap it.
  f.service.setParallel(sheet.id, 16);
  const again = f.service.generate(column.id, { mode: "all" });
  assertEquals((await f.service.jobs.wait(again.id)).state, "done");
  // The slots cap the rows that run; up to as many more wait in the context's queue
  // (servingGenerator's lookahead), handed over early so a slot that frees starts at once.
  assert(f.maxInFlight > 2 && f.maxInFlight <= 8, `${f.maxInFlight} cells handed over at once`);
});
