import { assertEquals } from "../../../tests/assert.ts";
import type { SheetCellJson, SheetColumnJson } from "../../../api/sheets.ts";
import { displayColumns, fieldText } from "./display_columns.ts";

const column = (id: string, schema: unknown = null): SheetColumnJson => ({
  id,
  name: id,
  kind: schema === null ? "data" : "ai",
  type: "string",
  position: 0,
  ai: schema === null ? null : {
    prompt: "p",
    model: null,
    sampling: {},
    max_tokens: 8,
    system_prompt: "",
    json_schema: schema,
  },
});
const cell = (value: string | null): SheetCellJson => ({
  value,
  state: "done",
  error: null,
  tokens: 1,
  ms: 1,
  model: "m",
});

Deno.test("a structured AI column is followed by one sub-column per field", () => {
  const schema = { type: "object", properties: { title: {}, tags: {} } };
  const shown = displayColumns([column("text"), column("info", schema), column("n", true)]);
  assertEquals(shown.map((c) => c.key), ["text", "info", "info.title", "info.tags", "n"]);
  assertEquals(shown.map((c) => c.field), [null, null, "title", "tags", null]);
});

Deno.test("a sub-column shows its field's text, and nothing for non-JSON or missing fields", () => {
  const value = cell('{"title": "A ball", "tags": ["red", 1]}');
  assertEquals(fieldText(value, "title"), "A ball");
  assertEquals(fieldText(value, "tags"), '["red",1]');
  assertEquals(fieldText(value, "other"), "");
  assertEquals(fieldText(cell('{"title": "cut off'), "title"), "");
  assertEquals(fieldText(cell(null), "title"), "");
  assertEquals(fieldText(undefined, "title"), "");
});
