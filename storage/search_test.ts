import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";
import type { Storage } from "./db.ts";
import { escapeHtml, ftsQuery, stripMarkdown } from "./search.ts";

function chatWith(storage: Storage, title: string, ...contents: string[]) {
  const chat = storage.chats.create({ title });
  let parent: string | null = null;
  const ids: string[] = [];
  for (const [i, content] of contents.entries()) {
    const role = i % 2 === 0 ? "user" : "assistant";
    parent = storage.messages.add(chat.id, { parent_id: parent, role, content }).id;
    ids.push(parent);
  }
  return { chat, ids };
}

Deno.test("ftsQuery() quotes every term so FTS syntax is plain text", () => {
  assertEquals(ftsQuery("hello world"), '"hello"* "world"*');
  assertEquals(ftsQuery('say "hi"'), '"say"* """hi"""*');
  assertEquals(ftsQuery("conf* *"), '"conf"*');
  assertEquals(ftsQuery("a NEAR(b c) -d OR e:f"), '"a"* "NEAR(b"* "c)"* "-d"* "OR"* "e:f"*');
  assertEquals(ftsQuery(" \t\n"), null);
  assertEquals(ftsQuery("a\u0000b"), '"a"* "b"*');
});

Deno.test("escapeHtml() escapes markup characters", () => {
  assertEquals(
    escapeHtml(`<a href="x">'&'</a>`),
    "&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;",
  );
});

Deno.test("Storage.search() finds words in messages across chats, newest first", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const cats = chatWith(storage, "Pets", "Tell me about cats", "Cats purr when content.");
  temp.clock.advance();
  const dogs = chatWith(storage, "Dogs", "And dogs?", "Dogs bark; unlike cats they fetch.");
  temp.clock.advance();
  chatWith(storage, "Weather", "Is it raining?", "No.");

  assertEquals(storage.search("cats").map((r) => r.id), [dogs.chat.id, cats.chat.id]);
  assertEquals(storage.search("PURR").map((r) => r.id), [cats.chat.id]);
  assertEquals(storage.search("purr bark"), [], "all terms must match in one message");
  assertEquals(storage.search("fetch").map((r) => r.id), [dogs.chat.id]);
  assertEquals(storage.search("pur*").map((r) => r.id), [cats.chat.id], "prefix search");
  assertEquals(storage.search("weather").map((r) => r.title), ["Weather"], "titles match too");
  assertEquals(storage.search("").length, 0);
  const [hit] = storage.search("purr");
  assertEquals(hit.snippet, "Cats <mark>purr</mark> when content.");
  assertEquals(hit.title, "Pets");
  assertEquals(storage.search("cats", { limit: 1 }).length, 1);
});

Deno.test("Storage.search() follows edits, streaming writes and deletes", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { chat, ids } = chatWith(storage, "T", "first question");
  const reply = storage.messages.add(chat.id, {
    parent_id: ids[0],
    role: "assistant",
    state: "streaming",
  });
  storage.messages.append(reply.id, "alpha ");
  assertEquals(storage.search("alpha").length, 1);
  storage.messages.append(reply.id, "beta");
  assertEquals(storage.search("beta").length, 1);
  storage.messages.updateContent(reply.id, "gamma");
  assertEquals(storage.search("alpha"), []);
  assertEquals(storage.search("gamma").length, 1);
  storage.messages.finish(reply.id, { state: "complete", content: "delta" });
  assertEquals(storage.search("gamma"), []);
  assertEquals(storage.search("delta").length, 1);

  storage.chats.update(chat.id, { title: "Renamed zebra" });
  assertEquals(storage.search("zebra").length, 1);
  storage.messages.delete(reply.id);
  assertEquals(storage.search("delta"), []);
  assertEquals(storage.search("question").length, 1);
  storage.chats.softDelete(chat.id);
  assertEquals(storage.search("question"), []);
  storage.chats.purgeDeleted();
  assertEquals(storage.search("zebra"), []);
  storage.close();
  // The external-content indexes agree with their tables (rank 1: compare the content).
  using db = new DatabaseSync(temp.path);
  db.exec("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)");
  db.exec("INSERT INTO chats_fts(chats_fts, rank) VALUES ('integrity-check', 1)");
});

Deno.test("Storage.search() never throws on FTS syntax, quotes or unicode", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { chat } = chatWith(
    storage,
    "Odd",
    'He said "hello" (twice) - NEAR the café, 日本語 テキスト, x*y AND OR NOT ^start',
  );
  const queries = [
    '"',
    '"unbalanced',
    "hello)",
    "(twice",
    "NEAR",
    "NEAR(hello twice)",
    "-",
    "- hello",
    "hello -twice",
    "*",
    "**",
    "x*",
    "AND",
    "OR NOT",
    "^start",
    "col:hello",
    "{content}: hello",
    "café",
    "cafe",
    "日本語",
    "🦀",
    "\u0000",
    "\uD83E",
    "'; DROP TABLE chats; --",
  ];
  // Plus 300 pseudo-random mixes of FTS5's special characters and words.
  const pieces = [
    '"',
    "*",
    "(",
    ")",
    "-",
    "+",
    ":",
    "^",
    "{",
    "}",
    " ",
    "NEAR",
    "AND",
    "OR",
    "NOT",
    "hello",
    "é",
    "\uD83E",
  ];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 300; i++) {
    queries.push(
      Array.from({ length: 1 + next() % 8 }, () => pieces[next() % pieces.length]).join(""),
    );
  }
  for (const query of queries) storage.search(query);
  const found = (query: string) => storage.search(query).map((r) => r.id);
  assertEquals(found('"hello"'), [chat.id]);
  assertEquals(found("(twice)"), [chat.id]);
  assertEquals(found("NEAR"), [chat.id]);
  assertEquals(found("cafe"), [chat.id], "diacritics are folded");
  assertEquals(found("日本語"), [chat.id]);
  assertEquals(found("hello -twice"), [chat.id], "- is no NOT operator");
  assertEquals(found("missing"), []);
  assert(storage.chats.get(chat.id));
});

Deno.test("Storage.search() snippets escape HTML and mark every hit", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  chatWith(storage, "T", `<script>alert("x")</script> & the <b>bold</b> word x`);
  const [hit] = storage.search("script bold");
  assertEquals(
    hit.snippet,
    "&#60;<mark>script</mark>&#62;alert(&#34;x&#34;)&#60;/<mark>script</mark>&#62; &#38; the " +
      "&#60;b&#62;<mark>bold</mark>&#60;/b&#62; word x",
  );
  assert(!/<(?!\/?mark>)/.test(hit.snippet), hit.snippet);
});

Deno.test("Storage.search() snippets cut long messages around the hit", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const filler = Array.from({ length: 50 }, (_, i) => `w${i}`).join(" ");
  chatWith(storage, "T", `${filler} needle ${filler}`);
  const [hit] = storage.search("needle");
  assert(hit.snippet.startsWith("…") && hit.snippet.endsWith("…"), hit.snippet);
  assert(hit.snippet.includes("<mark>needle</mark>"));
  assert(hit.snippet.length < 120, hit.snippet);
});

Deno.test("Storage.search() matches prefixes and says which message the snippet is from", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { chat, ids } = chatWith(storage, "Beasts", "Tell me a tale", "The dragon slept.");
  const [hit] = storage.search("drag");
  assertEquals(hit.id, chat.id);
  assertEquals(hit.snippet, "The <mark>dragon</mark> slept.");
  assertEquals(hit.message_id, ids[1]);
  assertEquals(storage.search("bea")[0].message_id, null, "a title hit names no message");
});

Deno.test("Storage.search() snippets show text, not Markdown syntax", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  chatWith(
    storage,
    "T",
    "## The **dragon** book\n\n> about `dragon_fire()` and [a dragon](https://x.test/d)",
  );
  const [hit] = storage.search("dragon");
  assert(
    hit.snippet.startsWith("The <mark>dragon</mark> book about <mark>dragon</mark>_fire()"),
    hit.snippet,
  );
  assert(!/[#*`>\[\]]|\]\(/.test(hit.snippet.replace(/<\/?mark>/g, "")), hit.snippet);
});

Deno.test("stripMarkdown() keeps text and drops syntax", () => {
  assertEquals(stripMarkdown("## A **bold** [link](http://x) `code`"), "A bold link code");
  assertEquals(stripMarkdown("```ts\nconst a_b = 1;\n```"), "const a_b = 1;");
  assertEquals(stripMarkdown("x * y = z, 2*3"), "x * y = z, 2*3");
  assertEquals(stripMarkdown("<b>not markdown</b> & co"), "<b>not markdown</b> & co");
  assertEquals(
    stripMarkdown("> q\n- [x] feed the *dragon*\n1. snake_case [a](https://cut…"),
    "q feed the dragon snake_case a",
  );
});
