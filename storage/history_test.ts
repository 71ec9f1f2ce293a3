import { assertEquals } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";
import type { Storage } from "./db.ts";

/** A chat with one finished reply by `model`, created at the clock's time. */
function reply(storage: Storage, title: string, model: string, content: string, nCtx = 512) {
  const chat = storage.chats.create({ title, n_ctx: 1024 });
  const user = storage.messages.add(chat.id, { parent_id: null, role: "user", content: "Hi" });
  const assistant = storage.messages.add(chat.id, {
    parent_id: user.id,
    role: "assistant",
    state: "streaming",
    model,
    sampling: { temperature: 0.5, top_k: 40, max_tokens: 16, seed: 7 },
  });
  storage.messages.finish(assistant.id, {
    state: "complete",
    finish_reason: "stop",
    content,
    metrics: {
      prompt_tokens: 10,
      cached_tokens: 0,
      completion_tokens: 5,
      ttft_ms: 12,
      prompt_tok_per_sec: 800,
      gen_tok_per_sec: 100,
      duration_ms: 52,
      n_ctx: nCtx,
    },
  });
  return { chat, assistant };
}

Deno.test("GenerationHistory.list() shows replies newest first with model, settings, metrics", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const first = reply(storage, "Dragons", "/m/a.gguf", "The dragon slept.");
  temp.clock.advance(1000);
  const second = reply(storage, "Cats", "/m/b.gguf", "The cat purred.");
  const page = storage.history.list();
  assertEquals(page.total, 2);
  assertEquals(page.entries.map((e) => e.id), [second.assistant.id, first.assistant.id]);
  assertEquals(page.entries[0], {
    kind: "reply",
    id: second.assistant.id,
    created_at: temp.clock.time,
    model: "/m/b.gguf",
    backend: null,
    provider: null,
    title: "Cats",
    source_id: second.chat.id,
    state: "complete",
    finish_reason: "stop",
    error: null,
    sampling: { temperature: 0.5, top_k: 40, max_tokens: 16, seed: 7 },
    n_ctx: 512,
    metrics: {
      prompt_tokens: 10,
      completion_tokens: 5,
      ttft_ms: 12,
      prompt_tok_per_sec: 800,
      gen_tok_per_sec: 100,
      duration_ms: 52,
    },
    preview: "The cat purred.",
    rows: null,
  });
  assertEquals(storage.history.models(), ["/m/a.gguf", "/m/b.gguf"]);
});

Deno.test("GenerationHistory.list() filters by model, kind, text and time, and pages", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    temp.clock.advance(1000);
    ids.push(
      reply(storage, `Chat ${i}`, i % 2 ? "/m/odd.gguf" : "/m/even.gguf", `tale ${i}`)
        .assistant.id,
    );
  }
  const start = temp.clock.time - 4000; // the first reply's time
  assertEquals(storage.history.list({ model: "/m/odd.gguf" }).entries.map((e) => e.id), [
    ids[3],
    ids[1],
  ]);
  assertEquals(storage.history.list({ text: "TALE 2" }).entries.map((e) => e.id), [ids[2]]);
  // Words of a reply match as prefixes, as the sidebar's search matches them.
  assertEquals(storage.history.list({ text: "ta" }).total, 5);
  assertEquals(storage.history.list({ text: "ale" }).total, 0);
  // The chat's title is searched too, any substring; LIKE's wildcards are taken literally.
  assertEquals(storage.history.list({ text: "hat 4" }).total, 1);
  assertEquals(storage.history.list({ text: "chat_" }).total, 0);
  assertEquals(storage.history.list({ text: "%" }).total, 0);
  assertEquals(
    storage.history.list({ since: start + 1000, until: start + 3000 }).entries.map((e) => e.id),
    [ids[2], ids[1]],
  );
  assertEquals(storage.history.list({ kind: "sheet_job" }).total, 0);
  const page1 = storage.history.list({ limit: 2 });
  const page3 = storage.history.list({ limit: 2, offset: 4 });
  assertEquals(page1.total, 5);
  assertEquals(page1.entries.map((e) => e.id), [ids[4], ids[3]]);
  assertEquals(page3.entries.map((e) => e.id), [ids[0]]);
});

Deno.test("GenerationHistory.list() leaves out user messages and deleted chats' replies", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { chat } = reply(storage, "Gone", "/m/a.gguf", "bye");
  reply(storage, "Kept", "/m/a.gguf", "hello");
  storage.chats.softDelete(chat.id);
  assertEquals(storage.history.list().entries.map((e) => e.title), ["Kept"]);
});

Deno.test("GenerationHistory.list() shows sheet jobs with the column's spec and cells' totals", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  reply(storage, "Chat", "/m/a.gguf", "hi");
  const sheet = storage.sheets.create("Reviews");
  const column = storage.sheets.addColumn(sheet.id, {
    name: "summary",
    kind: "ai",
    ai: {
      prompt: "Summarize {{text}}",
      model: null,
      sampling: { temperature: 0, topK: 1 },
      max_tokens: 32,
      system_prompt: "",
      json_schema: null,
    },
  });
  temp.clock.advance(10);
  const job = storage.sheets.createJob(sheet.id, column.id, 0, 3);
  for (const [row, tokens, ms] of [[0, 10, 100], [1, 30, 300]]) {
    storage.sheets.putCell(column.id, row, {
      state: "done",
      value: "ok",
      tokens,
      ms,
      model: "/m/sheet.gguf",
    });
  }
  temp.clock.advance(500);
  storage.sheets.setJobState(job.id, "done");
  const [entry] = storage.history.list({ kind: "sheet_job" }).entries;
  assertEquals(entry, {
    kind: "sheet_job",
    id: job.id,
    created_at: job.created_at,
    model: "/m/sheet.gguf",
    backend: null,
    provider: null,
    title: "Reviews · summary",
    source_id: sheet.id,
    state: "done",
    finish_reason: null,
    error: null,
    sampling: { temperature: 0, top_k: 1, max_tokens: 32 },
    n_ctx: null,
    metrics: {
      prompt_tokens: null,
      completion_tokens: 40,
      ttft_ms: null,
      prompt_tok_per_sec: null,
      gen_tok_per_sec: 100,
      duration_ms: 500,
    },
    preview: "Summarize {{text}}",
    rows: 3,
  });
  assertEquals(storage.history.list({ model: "/m/sheet.gguf" }).total, 1);
  assertEquals(storage.history.list({ text: "summar" }).total, 1);
  assertEquals(storage.history.list().total, 2);
  assertEquals(storage.history.models(), ["/m/a.gguf", "/m/sheet.gguf"]);
});

Deno.test("GenerationHistory.list() counts a regenerated cell for the job that rewrote it", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const sheet = storage.sheets.create("Reviews");
  const column = storage.sheets.addColumn(sheet.id, {
    name: "summary",
    kind: "ai",
    ai: {
      prompt: "Sum up",
      model: "/m/spec.gguf",
      sampling: {},
      max_tokens: 8,
      system_prompt: "",
      json_schema: null,
    },
  });
  const first = storage.sheets.createJob(sheet.id, column.id, 0, 2);
  storage.sheets.putCell(column.id, 0, { state: "done", tokens: 5, ms: 50, model: "/m/a.gguf" });
  storage.sheets.putCell(column.id, 1, { state: "done", tokens: 5, ms: 50, model: "/m/a.gguf" });
  storage.sheets.setJobState(first.id, "done");
  temp.clock.advance(1000);
  const second = storage.sheets.createJob(sheet.id, column.id, 1, 2);
  storage.sheets.putCell(column.id, 1, { state: "done", tokens: 7, ms: 70, model: "/m/b.gguf" });
  const byId = new Map(storage.history.list().entries.map((e) => [e.id, e]));
  // The second job still runs: what it wrote so far counts.
  assertEquals(byId.get(second.id)?.metrics.completion_tokens, 7);
  assertEquals(byId.get(second.id)?.model, "/m/b.gguf");
  assertEquals(byId.get(first.id)?.metrics.completion_tokens, 5);
  // A job that generated nothing names its column's model.
  temp.clock.advance(1000);
  const cancelled = storage.sheets.createJob(sheet.id, column.id, 5, 6);
  storage.sheets.setJobState(cancelled.id, "cancelled");
  const entry = storage.history.list({ kind: "sheet_job" }).entries[0];
  assertEquals([entry.id, entry.model, entry.metrics.completion_tokens], [
    cancelled.id,
    "/m/spec.gguf",
    null,
  ]);
});
