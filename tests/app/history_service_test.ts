/**
 * HistoryService on a real SQLite file: text filters from a URL become the storage's filter,
 * bad ones are HistoryQueryError naming the field, and bench runs missing by id are
 * BenchRunNotFoundError.
 */
import { assertEquals, assertThrows } from "../assert.ts";
import { TempDatabase } from "../../storage/_testing.ts";
import {
  BenchRunNotFoundError,
  DEFAULT_HISTORY_LIMIT,
  HistoryQueryError,
  HistoryService,
} from "../../app/history/mod.ts";

function addReply(temp: TempDatabase, title: string) {
  const storage = temp.open();
  const chat = storage.chats.create({ title });
  const user = storage.messages.add(chat.id, { parent_id: null, role: "user", content: "Hi" });
  temp.clock.advance(1000);
  return storage.messages.add(chat.id, {
    parent_id: user.id,
    role: "assistant",
    content: `About ${title}`,
    model: "/m/a.gguf",
  });
}

Deno.test("HistoryService.list() reads a URL's text filter and pages with defaults", () => {
  using temp = new TempDatabase();
  const dragons = addReply(temp, "dragons");
  const cats = addReply(temp, "cats");
  const history = new HistoryService(temp.open());
  const all = history.list();
  assertEquals([all.total, all.limit, all.offset], [2, DEFAULT_HISTORY_LIMIT, 0]);
  assertEquals(all.entries.map((e) => e.id), [cats.id, dragons.id]);
  // Empty fields mean "any", as an empty form field sends them.
  assertEquals(history.list({ kind: "", model: "", text: " ", since: "", until: "" }).total, 2);
  assertEquals(history.list({ text: " DRAGONS " }).entries.map((e) => e.id), [dragons.id]);
  assertEquals(history.list({ kind: "reply", model: "/m/a.gguf" }).total, 2);
  assertEquals(history.list({ until: String(cats.created_at) }).entries.map((e) => e.id), [
    dragons.id,
  ]);
  const second = history.list({ limit: "1", offset: "1" });
  assertEquals([second.limit, second.offset, second.entries[0].id], [1, 1, dragons.id]);
  assertEquals(history.models(), ["/m/a.gguf"]);
});

Deno.test("HistoryService.list() refuses bad filters with HistoryQueryError naming the field", () => {
  using temp = new TempDatabase();
  const history = new HistoryService(temp.open());
  const cases: [Record<string, string>, string][] = [
    [{ kind: "image" }, "kind"],
    [{ since: "yesterday" }, "since"],
    [{ until: "-5" }, "until"],
    [{ limit: "0" }, "limit"],
    [{ limit: "201" }, "limit"],
    [{ offset: "1.5" }, "offset"],
    [{ since: "10", until: "5" }, "since"],
  ];
  for (const [query, field] of cases) {
    const error = assertThrows(() => history.list(query), HistoryQueryError);
    assertEquals(error.field, field, JSON.stringify(query));
    // A RangeError: callers that know only the built-ins still see a bad value.
    assertEquals(error instanceof RangeError, true);
  }
});

Deno.test("HistoryService bench runs: missing ids are BenchRunNotFoundError", () => {
  using temp = new TempDatabase();
  const history = new HistoryService(temp.open());
  assertEquals(history.benchRuns(), []);
  assertThrows(
    () => history.benchRun("nope"),
    BenchRunNotFoundError,
    'Cannot find bench run "nope"',
  );
  assertThrows(() => history.removeBenchRun("nope"), BenchRunNotFoundError);
});
