import { assertEquals } from "../../tests/assert.ts";
import type { HistoryEntry, HistoryPageJson } from "../../api/history_json.ts";
import type { HistoryApi, HistoryQuery } from "../history_api.ts";
import { HISTORY_PAGE_SIZE, HistoryModel } from "./history.ts";
import { ToastsModel } from "./toasts.ts";

/** A fake client that records queries and answers `total` entries. */
function fakeApi(total: number) {
  const queries: HistoryQuery[] = [];
  const answers: ((page: HistoryPageJson) => void)[] = [];
  const api: HistoryApi = {
    history: (query = {}) => {
      queries.push(query);
      return new Promise((resolve) => answers.push(resolve));
    },
    historyModels: () => Promise.resolve({ models: ["/m/a.gguf"] }),
    benchRuns: () => Promise.resolve({ runs: [] }),
    deleteBenchRun: () => Promise.resolve(),
  };
  const page = (offset: number, label: string): HistoryPageJson => ({
    entries: [{ id: label } as HistoryEntry],
    total,
    limit: HISTORY_PAGE_SIZE,
    offset,
  });
  return { api, queries, answers, page };
}

Deno.test("HistoryModel sends the filter as a query: days as local midnights, text trimmed", async () => {
  const fake = fakeApi(1);
  const history = new HistoryModel(fake.api, new ToastsModel());
  const loaded = history.setFilter({
    kind: "reply",
    model: "/m/a.gguf",
    text: "  dragon ",
    from: "2026-03-01",
    to: "2026-03-02",
  });
  fake.answers[0](fake.page(0, "x"));
  await loaded;
  assertEquals(fake.queries[0], {
    kind: "reply",
    model: "/m/a.gguf",
    text: "dragon",
    since: new Date(2026, 2, 1).getTime(),
    until: new Date(2026, 2, 3).getTime(),
    limit: HISTORY_PAGE_SIZE,
    offset: 0,
  });
  assertEquals(history.entries.value.map((e) => e.id), ["x"]);
});

Deno.test("HistoryModel.turn() pages within the total; a late older answer is dropped", async () => {
  const fake = fakeApi(HISTORY_PAGE_SIZE + 1);
  const history = new HistoryModel(fake.api, new ToastsModel());
  const first = history.setFilter({});
  fake.answers[0](fake.page(0, "first"));
  await first;
  await history.turn(-1); // before the first page: nothing asked
  assertEquals(fake.queries.length, 1);
  const next = history.turn(1);
  assertEquals(fake.queries[1].offset, HISTORY_PAGE_SIZE);
  // A filter change while page 2 loads: page 2's answer arrives last and is dropped.
  const filtered = history.setFilter({ text: "cat" });
  fake.answers[2](fake.page(0, "cats"));
  await filtered;
  fake.answers[1](fake.page(HISTORY_PAGE_SIZE, "page 2"));
  await next;
  assertEquals(history.entries.value.map((e) => e.id), ["cats"]);
  assertEquals(history.offset.value, 0);
  await history.turn(2); // past the end: nothing asked
  assertEquals(fake.queries.length, 3);
});
