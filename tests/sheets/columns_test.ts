/**
 * Sheet columns on a real SQLite database, real files and the real stories260K engine:
 * a bad column spec is refused once with its reason (not stored to fail in every cell),
 * and a data column keeps its type through hand edits and exports.
 */
import { join } from "node:path";
import { assertEquals, assertThrows } from "../assert.ts";
import { SheetColumnError } from "../../app/sheets/mod.ts";
import { openTable } from "../../tables/mod.ts";
import { SheetFixture } from "./_helpers.ts";

async function readAll(path: string, format: "jsonl" | "parquet") {
  const reader = await openTable(path, format);
  const rows = [];
  for await (const row of reader.rows) rows.push(row.values);
  return { columns: reader.columns.map((c) => `${c.name}:${c.type}`), rows };
}

Deno.test("a bad AI column spec or data type is refused at once, naming what is wrong", async () => {
  await using f = new SheetFixture();
  const sheet = await f.service.import(f.file("s.csv", "id,text\n1,Once upon a time\n"));
  const ai = (extra: Record<string, unknown>) => () =>
    f.service.addColumn(sheet.id, {
      name: "out",
      kind: "ai",
      ai: { prompt: "Continue: {{text}}", max_tokens: 4, ...extra },
    });
  const refused: [() => unknown, string][] = [
    [ai({ sampling: { top_p: 0.9 } }), 'Unknown sampling option "top_p"; did you mean "topP"?'],
    [ai({ sampling: { topP: 7 } }), "topP must be"],
    [ai({ sampling: { temperature: "hot" } }), '"temperature" of "out" must be a number'],
    [ai({ sampling: { grammar: "root ::= x" } }), '"grammar" of "out" must be a number'],
    [ai({ sampling: [0.5] }), "must be an object"],
    [ai({ system_prompt: 5 }), "system prompt"],
    [ai({ model: 5 }), "model"],
    [
      () => f.service.addColumn(sheet.id, { name: "n", kind: "data", type: "float" as never }),
      'The type of "n" must be one of "string", "number", "boolean", "json", got "float"',
    ],
  ];
  for (const [add, reason] of refused) assertThrows(add, SheetColumnError, reason);
  const text = f.service.columns(sheet.id).find((c) => c.name === "text")!;
  assertThrows(
    () => f.service.editColumn(text.id, { type: "int" as never }),
    SheetColumnError,
    '"int"',
  );
  // Nothing of them was kept.
  assertEquals(f.service.columns(sheet.id).map((c) => `${c.name}:${c.type}`), [
    "id:string",
    "text:string",
  ]);
  // A good spec still generates: its sampling reaches every cell's request.
  const column = ai({ sampling: { topP: 0.9, temperature: 0 } })();
  const job = await f.service.jobs.wait(f.service.generate(column.id).id);
  assertEquals(job.state, "done");
  assertEquals(f.storage.sheets.counts(column.id, 0, 1).done, 1);
});

Deno.test("a data column keeps its type through hand edits, and exports write that type", async () => {
  await using f = new SheetFixture();
  const sheet = await f.service.import(
    f.file("s.jsonl", '{"n":1,"b":true,"o":{"x":1}}\n{"n":2,"b":false,"o":[1]}\n'),
  );
  const id = (name: string) => f.service.columns(sheet.id).find((c) => c.name === name)!.id;
  // The UI sends what the user typed as text: it becomes the column's type.
  f.service.setCell(id("n"), 0, "42.5");
  f.service.setCell(id("b"), 0, "FALSE");
  f.service.setCell(id("o"), 0, '{"y": [2]}');
  f.service.setCell(id("n"), 1, null);
  for (
    const [column, value, reason] of [
      ["n", "abc", 'Row 1 of "n" holds numbers: "abc" is not one'],
      ["n", "", "numbers"],
      ["b", "maybe", "booleans"],
      ["o", "oops", "JSON"],
    ] as const
  ) {
    assertThrows(() => f.service.setCell(id(column), 1, value), SheetColumnError, reason);
  }
  const data = (row: number) =>
    ["n", "b", "o"].map((name) => f.service.rows(sheet.id, row, 1).rows[0].data[id(name)]);
  assertEquals(data(0), [42.5, false, '{"y": [2]}']);
  assertEquals(data(1), [null, false, "[1]"]);
  for (const format of ["jsonl", "parquet"] as const) {
    const path = join(f.dir, `out.${format}`);
    await f.service.export(sheet.id, path);
    const back = await readAll(path, format);
    assertEquals(back.columns, ["n:number", "b:boolean", "o:json"], format);
    assertEquals(back.rows, [[42.5, false, '{"y":[2]}'], [null, false, "[1]"]], format);
  }
});

Deno.test("a JSON-schema cell cut off by max_tokens is a failed cell; retried with more tokens it is JSON", async () => {
  await using f = new SheetFixture();
  const sheet = await f.service.import(f.file("s.csv", "id,text\n1,A cat\n2,A dog\n"));
  const column = f.service.addColumn(sheet.id, {
    name: "rating",
    kind: "ai",
    ai: {
      prompt: "Rate: {{text}}",
      max_tokens: 5,
      sampling: { temperature: 0 },
      json_schema: {
        type: "object",
        properties: { mood: { type: "string", enum: ["happy", "sad"] } },
        required: ["mood"],
      },
    },
  });
  await f.service.jobs.wait(f.service.generate(column.id).id);
  const cells = () => f.storage.sheets.cells(column.id, 0, 2);
  assertEquals(cells().map((c) => [c.state, c.value]), [["error", null], ["error", null]]);
  assertEquals(cells()[0].error?.startsWith("Cut off at max_tokens (5)"), true, cells()[0].error!);

  f.service.editColumn(column.id, { ai: { max_tokens: 64 } });
  await f.service.jobs.wait(f.service.retryFailed(column.id).id);
  for (const cell of cells()) {
    assertEquals(cell.state, "done", cell.error ?? "");
    assertEquals(["happy", "sad"].includes(JSON.parse(cell.value!).mood), true, cell.value!);
  }
});

Deno.test("a renamed column's {{references}} follow it; a deleted one stops its AI column with a reason", async () => {
  await using f = new SheetFixture();
  const sheet = await f.service.import(f.file("s.csv", "id,text\n1,A cat sat.\n"));
  const byName = (name: string) => f.service.columns(sheet.id).find((c) => c.name === name)!;
  const story = f.service.addColumn(sheet.id, {
    name: "story",
    kind: "ai",
    ai: { prompt: "Tell of {{text}} ({{ text }}, id {{id}})", max_tokens: 4 },
  });
  const more = f.service.addColumn(sheet.id, {
    name: "more",
    kind: "ai",
    ai: { prompt: "Go on: {{story}}", max_tokens: 4 },
  });
  f.service.editColumn(byName("text").id, { name: "body" });
  f.service.editColumn(story.id, { name: "tale" });
  assertEquals(byName("tale").ai!.prompt, "Tell of {{body}} ({{body}}, id {{id}})");
  assertEquals(byName("more").ai!.prompt, "Go on: {{tale}}");
  // The row's value reaches the prompt under its new name.
  assertEquals(f.service.prompt(story.id, 0).row, "## Row\nbody: A cat sat.\nid: 1\nOutput:");

  await f.service.deleteColumn(byName("body").id);
  assertThrows(
    () => f.service.generate(story.id),
    SheetColumnError,
    'The prompt of "tale" uses {{body}}, but the sheet has no column "body"',
  );
  assertEquals(f.storage.sheets.jobs({ sheetId: sheet.id }).length, 0);
  // Its prompt fixed, it generates.
  f.service.editColumn(story.id, { ai: { prompt: "Tell of {{id}}" } });
  assertEquals((await f.service.jobs.wait(f.service.generate(story.id).id)).state, "done");
  assertEquals(more.id, byName("more").id);
});
