import { assert, assertEquals } from "../../tests/assert.ts";
import type { SheetColumnJson, SheetJson, SheetProgressJson } from "../../api/sheets.ts";
import type { SheetsApi } from "../sheets_api.ts";
import { ROWS_PER_PAGE } from "./sheet_rows.ts";
import { SheetsModel } from "./sheets.ts";
import { ToastsModel } from "./toasts.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

const SHEET: SheetJson = {
  id: "s1",
  name: "big",
  created_at: 1,
  updated_at: 1,
  row_count: 1000,
  source_format: null,
  parallel: 8,
};
const AI: SheetColumnJson = {
  id: "c1",
  name: "story",
  kind: "ai",
  type: "string",
  position: 0,
  ai: null,
};

/** A sheets client answering one 1000-row sheet; `calls` records each request. */
function fakeApi() {
  const calls: string[] = [];
  const api = {
    list: () => Promise.resolve([SHEET]),
    get: () => Promise.resolve({ sheet: SHEET, columns: [AI] }),
    progress: () => Promise.resolve(null),
    rows: (_id: string, offset: number, limit: number) => {
      calls.push(`rows ${offset} ${limit}`);
      const rows = Array.from({ length: limit }, (_, i) => ({
        idx: offset + i,
        data: {},
        cells: {},
      }));
      return Promise.resolve({ columns: [AI], rows });
    },
    generate: (column: string, from?: number, to?: number, mode?: string) => {
      calls.push(`generate ${column} ${from} ${to} ${mode}`);
      return Promise.resolve({});
    },
  };
  return { api: api as unknown as SheetsApi, calls };
}

Deno.test("the row cache fetches only the pages on screen, once each", async () => {
  const { api, calls } = fakeApi();
  const sheets = new SheetsModel(api, new ToastsModel());
  await sheets.open("s1");
  const rows = sheets.current.value!.rows;
  rows.show(250, 290);
  rows.show(250, 295); // the same pages, still in flight: no second request
  await tick();
  assertEquals(calls, [`rows 200 ${ROWS_PER_PAGE}`]);
  assertEquals(rows.row(289)?.idx, 289);
  assertEquals(rows.row(300), undefined);
  rows.show(290, 330);
  await tick();
  assertEquals(calls.at(-1), `rows 300 ${ROWS_PER_PAGE}`);
  await rows.reload();
  assertEquals(calls.slice(-2).sort(), [`rows 200 100`, `rows 300 100`]);
});

Deno.test("selection: a cell, a shift-click range from it, a whole column; generate sends it", async () => {
  const { api, calls } = fakeApi();
  const sheets = new SheetsModel(api, new ToastsModel());
  await sheets.open("s1");
  sheets.selectCell("c1", 10);
  assertEquals(sheets.selection.value, { columnId: "c1", from: 10, to: 11 });
  sheets.selectCell("c1", 4, true);
  assertEquals(sheets.selection.value, { columnId: "c1", from: 4, to: 11 });
  sheets.selectCell("c1", 20, true); // still from the clicked cell, not the range's start
  assertEquals(sheets.selection.value, { columnId: "c1", from: 10, to: 21 });
  assertEquals(sheets.selectedColumn.value?.name, "story");
  await sheets.generate("missing");
  assert(calls.includes("generate c1 10 21 missing"), calls.join("\n"));
  sheets.selectColumn("c1");
  assertEquals(sheets.selection.value, { columnId: "c1", from: 0, to: 1000 });
});

Deno.test("progress events of other sheets are ignored", async () => {
  const { api } = fakeApi();
  const sheets = new SheetsModel(api, new ToastsModel());
  await sheets.open("s1");
  const progress = { sheet_id: "other", column_id: "c9", job_id: "j", state: "running" };
  sheets.onProgress(progress as SheetProgressJson);
  assertEquals(sheets.progress.value, {});
  sheets.onProgress({ ...progress, sheet_id: "s1", column_id: "c1" } as SheetProgressJson);
  assertEquals(sheets.progress.value.c1.job_id, "j");
});

Deno.test("the keyboard moves the selected cell, grows the range with Shift, and stops at the edges", async () => {
  const { api } = fakeApi();
  const sheets = new SheetsModel(api, new ToastsModel());
  await sheets.open("s1");
  assertEquals(sheets.moveSelection(1, 0), 0); // nothing selected: the first cell
  assertEquals(sheets.selection.value, { columnId: "c1", from: 0, to: 1 });
  assertEquals(sheets.moveSelection(-5, 0), 0);
  sheets.selectCell("c1", 10);
  assertEquals(sheets.moveSelection(3, 0, true), 13);
  assertEquals(sheets.selection.value, { columnId: "c1", from: 10, to: 14 });
  assertEquals(sheets.moveSelection(-5, 0, true), 8);
  assertEquals(sheets.selection.value, { columnId: "c1", from: 8, to: 11 });
  assertEquals(sheets.moveSelection(Number.MAX_SAFE_INTEGER, 0), 999);
  assertEquals(sheets.selection.value, { columnId: "c1", from: 999, to: 1000 });
  assertEquals(sheets.moveSelection(0, 1), 999); // one column: stays in it
});

Deno.test("a job's done event that overtakes the progress GET after generate stays shown", async () => {
  const { api } = fakeApi();
  const progressOf = (state: SheetProgressJson["state"], rows_done: number): SheetProgressJson => ({
    sheet_id: "s1",
    column_id: "c1",
    job_id: "j1",
    state,
    rows_total: 2,
    rows_done,
    rows_failed: 0,
    rows_per_s: 0,
    tok_per_s: 0,
    eta_s: null,
    prompt_tokens_decoded: 0,
    prompt_tokens_total: 0,
  });
  const sheets = new SheetsModel(api, new ToastsModel());
  await sheets.open("s1");
  // The GET is answered while the job runs; its answer comes back after the job's last event.
  let answer!: (p: SheetProgressJson) => void;
  api.progress = () => new Promise((resolve) => (answer = resolve));
  sheets.selectCell("c1", 0);
  const generated = sheets.generate();
  await tick();
  sheets.onProgress(progressOf("done", 2));
  answer(progressOf("running", 0));
  await generated;
  assertEquals(sheets.progress.value["c1"]?.state, "done");
});
