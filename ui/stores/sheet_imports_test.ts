import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import type { SheetImportJson, SheetJson } from "../../api/sheets.ts";
import { ApiError } from "../api.ts";
import type { SheetsApi } from "../sheets_api.ts";
import { SheetImportsModel } from "./sheet_imports.ts";
import { SheetsModel } from "./sheets.ts";
import { ToastsModel } from "./toasts.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

const SHEET: SheetJson = {
  id: "s1",
  name: "big.csv",
  created_at: 1,
  updated_at: 1,
  row_count: 3,
  source_format: "csv",
  parallel: 8,
};

function event(patch: Partial<SheetImportJson> = {}): SheetImportJson {
  return {
    sheet_id: "s1",
    name: "big.csv",
    format: "csv",
    state: "importing",
    rows_done: 0,
    bytes_read: 0,
    bytes_total: 1000,
    rows_per_s: 0,
    eta_s: null,
    error: null,
    ...patch,
  };
}

/** A sheets client whose import answers when the test says; `calls` records requests. */
function fakeApi() {
  const calls: string[] = [];
  const answer = Promise.withResolvers<SheetJson>();
  const api = {
    list: () => (calls.push("list"), Promise.resolve([])),
    get: () => Promise.resolve({ sheet: SHEET, columns: [] }),
    importFile: (workspace: string, path: string, _format?: string, name?: string) => {
      calls.push(`import ${workspace} ${path} ${name}`);
      return answer.promise;
    },
    imports: () => Promise.resolve([]),
    cancelImport: (id: string) => (calls.push(`cancel ${id}`), Promise.resolve(event())),
  };
  return { api: api as unknown as SheetsApi, calls, answer };
}

function stores() {
  const fake = fakeApi();
  const toasts = new ToastsModel();
  const sheets = new SheetsModel(fake.api, toasts);
  return { ...fake, toasts, sheets, imports: new SheetImportsModel(fake.api, toasts, sheets) };
}

Deno.test("start() resolves at the import's first event, lists it, and opens the sheet at its end", async () => {
  const s = stores();
  let started = false;
  const start = s.imports.start("w1", "data/big.csv").then(() => (started = true));
  await tick();
  assertEquals(s.calls, ["import w1 data/big.csv big.csv"]);
  assert(!started, "not before the import shows");
  s.imports.onEvent(event());
  await start;
  assertEquals(s.imports.imports.value.map((p) => p.sheet_id), ["s1"]);
  s.imports.onEvent(event({ rows_done: 2000, bytes_read: 400 }));
  assertEquals(s.imports.imports.value.map((p) => p.rows_done), [2000]);

  s.imports.onEvent(event({ state: "done", rows_done: 3 }));
  s.answer.resolve(SHEET);
  await tick();
  await tick();
  assertEquals(s.imports.imports.value, []);
  assertEquals(s.sheets.current.value?.sheet.id, "s1");
  assert(s.toasts.toasts.value.some((t) => t.text === "Imported 3 rows from data/big.csv"));
});

Deno.test("start() rejects when the import fails before it shows (the dialog says why)", async () => {
  const s = stores();
  const start = s.imports.start("w1", "../out.csv");
  s.answer.reject(new ApiError(403, "path_outside_workspace", "Path leads outside"));
  await assertRejects(() => start, ApiError, "Path leads outside");
  assertEquals(s.toasts.toasts.value, []);
});

Deno.test("a cancelled import leaves the list, and its end is a toast, not an error", async () => {
  const s = stores();
  const start = s.imports.start("w1", "big.csv");
  s.imports.onEvent(event({ rows_done: 5000 }));
  await start;
  await s.imports.cancel("s1");
  assertEquals(s.calls.at(-1), "cancel s1");
  assertEquals(s.imports.imports.value, []);
  s.imports.onEvent(event({ state: "cancelled" }));
  const message = 'Import of "big.csv" cancelled: nothing was kept';
  s.answer.reject(new ApiError(409, "import_cancelled", message));
  await tick();
  assertEquals(s.toasts.toasts.value.map((t) => [t.kind, t.text]), [["info", message]]);
});
