import { assertEquals, assertThrows } from "../tests/assert.ts";
import { exportBranch, exportJsonl, exportMarkdown, exportOpenAI } from "./export.ts";
import type { Chat, Message } from "./types.ts";

const CHAT: Chat = {
  id: "c1",
  title: "Stories\nabout Lily",
  created_at: 1,
  updated_at: 2,
  model: "/m/stories.gguf",
  system_prompt: "You tell stories.",
  sampling: { temperature: 0 },
  n_ctx: 512,
  overflow: "error",
  active_leaf_id: "m2",
};

const BRANCH: Message[] = [
  {
    id: "m1",
    chat_id: "c1",
    parent_id: null,
    role: "user",
    content: "Once upon a time",
    model: null,
    sampling: null,
    metrics: null,
    created_at: 3,
    state: "complete",
    finish_reason: null,
  },
  {
    id: "m2",
    chat_id: "c1",
    parent_id: "m1",
    role: "assistant",
    content: "there was a girl named Lily.",
    model: "/m/stories.gguf",
    sampling: { temperature: 0 },
    metrics: {
      prompt_tokens: 5,
      cached_tokens: 0,
      completion_tokens: 9,
      ttft_ms: 12.4,
      prompt_tok_per_sec: 400,
      gen_tok_per_sec: 250.55,
    },
    created_at: 4,
    state: "incomplete",
    finish_reason: "abort",
    dropped_messages: 1,
  },
];

Deno.test("exportMarkdown() writes a title, a section per message and metrics lines", () => {
  assertEquals(
    exportMarkdown(CHAT, BRANCH),
    [
      "# Stories about Lily",
      "",
      "Model: `stories.gguf`",
      "",
      "## System",
      "",
      "You tell stories.",
      "",
      "## User",
      "",
      "Once upon a time",
      "",
      "## Assistant",
      "",
      "there was a girl named Lily.",
      "",
      "*Model: `stories.gguf` · 5 prompt tokens (0 cached) · 9 completion tokens · " +
      "TTFT 12 ms · prompt 400.0 tok/s · generation 250.6 tok/s · incomplete (abort)*",
      "",
    ].join("\n"),
  );
});

Deno.test("exportJsonl() writes a chat header line then one line per message", () => {
  const lines = exportJsonl(CHAT, BRANCH).split("\n");
  assertEquals(lines.length, 4);
  assertEquals(lines[3], "");
  assertEquals(JSON.parse(lines[0]), {
    type: "chat",
    version: 1,
    id: "c1",
    title: "Stories\nabout Lily",
    created_at: 1,
    updated_at: 2,
    model: "/m/stories.gguf",
    system_prompt: "You tell stories.",
    sampling: { temperature: 0 },
    n_ctx: 512,
    overflow: "error",
    active_leaf_id: "m2",
  });
  const { chat_id: _a, ...first } = BRANCH[0];
  const { chat_id: _b, ...second } = BRANCH[1];
  assertEquals(JSON.parse(lines[1]), { type: "message", ...first });
  assertEquals(JSON.parse(lines[2]), { type: "message", ...second });
});

Deno.test("exportOpenAI() writes the system prompt first, then role and content", () => {
  assertEquals(JSON.parse(exportOpenAI(CHAT, BRANCH)), {
    messages: [
      { role: "system", content: "You tell stories." },
      { role: "user", content: "Once upon a time" },
      { role: "assistant", content: "there was a girl named Lily." },
    ],
  });
  assertEquals(JSON.parse(exportOpenAI({ ...CHAT, system_prompt: "" }, [])), { messages: [] });
});

Deno.test("exportBranch() dispatches on the format and refuses unknown ones", () => {
  assertEquals(exportBranch(CHAT, BRANCH, "md"), exportMarkdown(CHAT, BRANCH));
  assertThrows(() => exportBranch(CHAT, BRANCH, "pdf" as never), TypeError, '"pdf"');
});

Deno.test("exportChat() and importChat() keep a reply's backend and provider", async () => {
  const { TempDatabase } = await import("./_testing.ts");
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = storage.chats.create({ title: "Cloud" });
  const user = storage.messages.add(chat.id, { parent_id: null, role: "user", content: "hi" });
  storage.messages.add(chat.id, {
    parent_id: user.id,
    role: "assistant",
    content: "yo",
    model: "gpt-x",
    backend: "remote",
    provider: "openrouter",
  });
  const jsonl = storage.exportChat(chat.id, "jsonl");
  const copy = storage.importChat(jsonl, "jsonl");
  const reply = storage.messages.list(copy.id).find((m) => m.role === "assistant")!;
  assertEquals([reply.backend, reply.provider, reply.model], ["remote", "openrouter", "gpt-x"]);
  const markdown = storage.exportChat(chat.id, "md");
  assertEquals(markdown.includes("Provider: openrouter (cloud)"), true, markdown);
});

Deno.test("exportMarkdown() names a local model by its file name, a provider's model as is", () => {
  const branch = (model: string): Message[] => [{ ...BRANCH[1], model }];
  for (
    const [model, named] of [
      [
        "/home/me/.cache/huggingface/hub/models--x/snapshots/c0/Qwen3-Q4_K_M.gguf",
        "Qwen3-Q4_K_M.gguf",
      ],
      ["C:\\Users\\me\\models\\phi-4.gguf", "phi-4.gguf"],
      [
        "openrouter:meta-llama/llama-3.1-8b-instruct",
        "openrouter:meta-llama/llama-3.1-8b-instruct",
      ],
    ]
  ) {
    const markdown = exportMarkdown({ ...CHAT, model }, branch(model));
    assertEquals(markdown.split(`Model: \`${named}\``).length, 3, markdown);
    if (named !== model) assertEquals(markdown.includes(model), false, markdown);
  }
});
