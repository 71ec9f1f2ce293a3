import { assert, assertEquals, assertThrows } from "../assert.ts";
import { ChatImportError, type Message, type Storage } from "../../storage/mod.ts";
import { TempDatabase } from "../../storage/_testing.ts";
import { detectImportFormat } from "../../storage/import.ts";

/** A chat with a system prompt, an edited question (two branches) and a metrics reply. */
function sampleChat(temp: TempDatabase, storage: Storage) {
  const chat = storage.chats.create({
    title: "Lily's story",
    model: "/m/stories260K.gguf",
    system_prompt: "You tell short stories.",
    sampling: { temperature: 0, seed: 1 },
    n_ctx: 512,
    overflow: "truncate-oldest",
  });
  const add = (message: Parameters<Storage["messages"]["add"]>[1]) => {
    temp.clock.advance();
    return storage.messages.add(chat.id, message);
  };
  const q1 = add({ parent_id: null, role: "user", content: "Once upon a time" });
  add({ parent_id: q1.id, role: "assistant", content: "an old branch" });
  const q2 = add({ parent_id: null, role: "user", content: 'Once upon a time, "quoted" 🦀' });
  const a = add({
    parent_id: q2.id,
    role: "assistant",
    content: "there was a little girl named Lily.\n\n```js\nx < 1 && y\n```",
    model: "/m/stories260K.gguf",
    sampling: { temperature: 0 },
    metrics: {
      prompt_tokens: 7,
      cached_tokens: 2,
      completion_tokens: 13,
      ttft_ms: 4.5,
      prompt_tok_per_sec: 900,
      gen_tok_per_sec: 600,
    },
    finish_reason: "stop",
    dropped_messages: 1,
  });
  add({ parent_id: a.id, role: "system", content: "Now shorter." });
  return storage.chats.require(chat.id);
}

/** What must survive a round trip: everything but ids and the chat link. */
const portable = (messages: Message[]) =>
  messages.map(({ id: _id, chat_id: _chat, parent_id: _parent, ...rest }) => rest);

Deno.test("importChat(exportChat(jsonl)) gives the same chat, whole tree and active branch", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = sampleChat(temp, storage);
  temp.clock.advance(1000);
  const imported = storage.importChat(storage.exportChat(chat.id, "jsonl"), "jsonl");

  assert(imported.id !== chat.id);
  const { id: _a, active_leaf_id: _b, updated_at: _c, ...fields } = chat;
  const { id: _d, active_leaf_id: _e, updated_at, ...importedFields } = imported;
  assertEquals(importedFields, fields);
  assertEquals(updated_at, temp.clock.time, "an import is the newest chat");
  assertEquals(storage.chats.list()[0].id, imported.id);

  const original = storage.messages.activeBranch(chat.id);
  const copy = storage.messages.activeBranch(imported.id);
  assertEquals(portable(copy), portable(original));
  assertEquals(copy.map((m) => m.parent_id), [null, ...copy.slice(0, -1).map((m) => m.id)]);
  // Every branch: the first question and its reply come back too, under their parent.
  const tree = (id: string) =>
    storage.messages.list(id).map((m) => {
      const parent = m.parent_id && storage.messages.require(m.parent_id).content;
      return [parent, m.role, m.content];
    });
  assertEquals(storage.messages.list(imported.id).length, 5, "every branch");
  assertEquals(tree(imported.id), tree(chat.id));
  assertEquals(storage.exportChat(imported.id, "jsonl").split("\n").length, 7);
});

Deno.test("importChat(exportChat(openai)) gives the same roles, contents and system prompt", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = sampleChat(temp, storage);
  const imported = storage.importChat(storage.exportChat(chat.id, "openai"), "openai");
  assertEquals(imported.system_prompt, chat.system_prompt);
  assertEquals(imported.title, 'Once upon a time, "quoted" 🦀');
  const pick = (messages: Message[]) => messages.map(({ role, content }) => ({ role, content }));
  assertEquals(
    pick(storage.messages.activeBranch(imported.id)),
    pick(storage.messages.activeBranch(chat.id)),
  );
  assertEquals(
    storage.exportChat(imported.id, "openai"),
    storage.exportChat(chat.id, "openai"),
  );
});

Deno.test("importChat() of an invalid file changes nothing", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  sampleChat(temp, storage);
  const valid = storage.exportChat(storage.chats.list()[0].id, "jsonl").split("\n");
  const withLine = (n: number, line: string) => valid.toSpliced(n - 1, 1, line).join("\n");
  // valid: the chat header, then the whole tree, parents first: user q1, its reply, user q2,
  // assistant a, system (lines 2-6).
  const cases: [string, "jsonl" | "openai", string][] = [
    [withLine(3, "{not json"), "jsonl", "line 3: invalid JSON"],
    [
      withLine(2, valid[1].replace('"role":"user"', '"role":"robot"')),
      "jsonl",
      'line 2: invalid field "role"',
    ],
    [
      withLine(3, valid[2].replace(/"content":"[^"]*",/, "")),
      "jsonl",
      'line 3: field "content" is missing',
    ],
    [withLine(4, valid[2]), "jsonl", 'line 4: invalid field "id"'],
    ["", "jsonl", "the file is empty"],
    ["", "openai", "the file is empty"],
    [
      '{"messages":[{"role":"user","content":"a"},{"role":"robot","content":"b"}]}',
      "openai",
      'messages[1]: invalid field "role"',
    ],
    [
      '{"messages":[{"role":"user","content":"a"},{"role":"user"}]}',
      "openai",
      'messages[1]: field "content" is missing',
    ],
  ];
  const count = () => storage.chats.list().length;
  const messages = () => storage.search("once").length;
  const before = [count(), messages()];
  for (const [text, format, includes] of cases) {
    assertThrows(() => storage.importChat(text, format), ChatImportError, includes);
    assertEquals([count(), messages()], before, includes);
  }
  // A write that fails halfway (here: an id generator that repeats itself, so the second
  // message breaks UNIQUE) rolls back the chat and the messages already written.
  const broken = temp.open({ randomId: () => "same-id" });
  assertThrows(() => broken.importChat(valid.join("\n"), "jsonl"), Error, "UNIQUE");
  assertEquals([count(), messages()], before);
});

Deno.test("exportChat() as Markdown holds the title, sections, model and metrics", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = sampleChat(temp, storage);
  const md = storage.exportChat(chat.id, "md");
  assert(md.startsWith("# Lily's story\n\nModel: `stories260K.gguf`\n\n## System\n"), md);
  assertEquals(md.match(/^## (User|Assistant|System)$/gm), [
    "## System",
    "## User",
    "## Assistant",
    "## System",
  ]);
  assert(md.includes("7 prompt tokens (2 cached) · 13 completion tokens"), md);
  assert(!md.includes("an old branch"), "only the active branch");
});

Deno.test("exportChat() writes the settings' system prompt for a chat without its own, except in JSONL", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  storage.settings.patch({ system_prompt: "You are terse." });
  const chat = storage.chats.create({ title: "Plain" });
  storage.messages.add(chat.id, { parent_id: null, role: "user", content: "Hi" });
  assert(storage.exportChat(chat.id, "md").includes("## System\n\nYou are terse."));
  assertEquals(JSON.parse(storage.exportChat(chat.id, "openai")).messages[0], {
    role: "system",
    content: "You are terse.",
  });
  assertEquals(JSON.parse(storage.exportChat(chat.id, "jsonl").split("\n")[0]).system_prompt, "");
  const own = storage.chats.create({ title: "Own", system_prompt: "You rhyme." });
  assert(storage.exportChat(own.id, "md").includes("## System\n\nYou rhyme."));
});

Deno.test("importChat() without a format tells it from the content, never the name", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = sampleChat(temp, storage);
  const jsonl = storage.exportChat(chat.id, "jsonl");
  const openai = storage.exportChat(chat.id, "openai");
  const compact = JSON.stringify(JSON.parse(openai));
  const bare = JSON.stringify(JSON.parse(openai).messages);
  assertEquals(
    [jsonl, openai, compact, bare, `\n  ${openai}`].map(detectImportFormat),
    ["jsonl", "openai", "openai", "openai", "openai"],
  );
  for (const text of [jsonl, openai, compact, bare]) {
    const imported = storage.importChat(text);
    assertEquals(
      portable(storage.messages.activeBranch(imported.id)).map((m) => [m.role, m.content]),
      portable(storage.messages.activeBranch(chat.id)).map((m) => [m.role, m.content]),
    );
  }
  // Invalid files still get the parser's message, for the format they look like.
  assertThrows(() => storage.importChat('{"type":"chat"}\n{oops'), ChatImportError, "JSONL");
  assertThrows(() => storage.importChat("{oops"), ChatImportError, "OpenAI");
});
