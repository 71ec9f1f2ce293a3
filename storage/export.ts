/**
 * Exports a chat's branch as Markdown, JSONL or OpenAI messages JSON.
 *
 * ## The JSONL format (version 1)
 *
 * UTF-8, one JSON object per line, "\n" line ends. The first line is the chat:
 *
 * ```json
 * {"type":"chat","version":1,"id":"…","title":"…","created_at":1700000000000,
 *  "updated_at":1700000000000,"model":null,"system_prompt":"","sampling":{},
 *  "n_ctx":null,"overflow":"error","active_leaf_id":"…"}
 * ```
 *
 * Every other line is one message, parents before children. An export holds the chat's
 * whole message tree, every branch (`parent_id` links them; `active_leaf_id` names the
 * branch shown); a file with one branch is a tree too:
 *
 * ```json
 * {"type":"message","id":"…","parent_id":null,"role":"user","content":"Hi",
 *  "model":null,"sampling":null,"metrics":null,"created_at":1700000000000,
 *  "state":"complete","finish_reason":null}
 * ```
 *
 * Fields are those of the API's `Chat` and `Message` (docs/ui-api.md), without a
 * message's `chat_id` (import ignores one); a message may also carry
 * `dropped_messages`. On import, only `type`, `role` and `content` are
 * required: a message without `parent_id` follows the previous line, ids are replaced
 * by fresh ones, `active_leaf_id` defaults to the last message, and a "streaming"
 * message becomes "incomplete".
 *
 * @module
 */
import type { Chat, Message, Metrics } from "./types.ts";

/** The export formats: Markdown, our JSONL, OpenAI `{"messages": [...]}` JSON. */
export type ExportFormat = "md" | "jsonl" | "openai";

/** Every export format, with the file extension and media type to serve it with. */
export const EXPORT_FORMATS: Readonly<
  Record<ExportFormat, { readonly extension: string; readonly mediaType: string }>
> = Object.freeze({
  md: { extension: ".md", mediaType: "text/markdown; charset=utf-8" },
  jsonl: { extension: ".jsonl", mediaType: "application/jsonl; charset=utf-8" },
  openai: { extension: ".json", mediaType: "application/json; charset=utf-8" },
});

/** The JSONL format version this build writes and reads. */
export const JSONL_VERSION = 1;

/** One line of metrics: "12 prompt tokens (3 cached) · 34 completion tokens · …". */
function metricsLine(metrics: Metrics): string {
  return [
    `${metrics.prompt_tokens} prompt tokens (${metrics.cached_tokens} cached)`,
    `${metrics.completion_tokens} completion tokens`,
    `TTFT ${Math.round(metrics.ttft_ms)} ms`,
    `prompt ${metrics.prompt_tok_per_sec.toFixed(1)} tok/s`,
    `generation ${metrics.gen_tok_per_sec.toFixed(1)} tok/s`,
  ].join(" · ");
}

/** A model string as a Markdown export names it: a path's file name, anything else as is. */
function modelName(model: string): string {
  const absolute = model.startsWith("/") || /^[A-Za-z]:[\\/]/.test(model) ||
    model.startsWith("\\\\");
  return absolute ? model.split(/[\\/]/).at(-1)! : model;
}

const HEADINGS = { system: "System", user: "User", assistant: "Assistant" } as const;

/**
 * Renders a branch as Markdown: `# title`, the chat's model, then a `## System`,
 * `## User` or `## Assistant` section per message, each reply followed by an italic
 * line with its model, metrics and, if it did not complete, its state. A local model is
 * named by its file name, never its absolute path (which would tell a reader the user's
 * folders); a provider's model (`NAME:MODEL`) as it is.
 *
 * @param chat The chat.
 * @param branch Its messages, root first.
 * @returns The Markdown text.
 */
export function exportMarkdown(chat: Chat, branch: readonly Message[]): string {
  const parts = [`# ${chat.title.replace(/\s+/gu, " ").trim() || "Untitled chat"}`];
  if (chat.model) parts.push(`Model: \`${modelName(chat.model)}\``);
  if (chat.system_prompt) parts.push(`## System\n\n${chat.system_prompt}`);
  for (const message of branch) {
    parts.push(`## ${HEADINGS[message.role]}\n\n${message.content}`);
    const notes: string[] = [];
    if (message.model) notes.push(`Model: \`${modelName(message.model)}\``);
    if (message.backend === "remote") {
      notes.push(`Provider: ${message.provider ?? "remote"} (cloud)`);
    }
    if (message.metrics) notes.push(metricsLine(message.metrics));
    if (message.state !== "complete") {
      notes.push(`${message.state}${message.finish_reason ? ` (${message.finish_reason})` : ""}`);
    }
    if (notes.length > 0) parts.push(`*${notes.join(" · ")}*`);
  }
  return `${parts.join("\n\n")}\n`;
}

/**
 * Renders a chat's messages as JSONL (see the module documentation for the format): a
 * branch (root first), or the whole tree in any order, written parents first.
 *
 * @param chat The chat.
 * @param messages Its messages: a branch or the whole tree.
 * @returns The JSONL text, ending in a newline.
 */
export function exportJsonl(chat: Chat, messages: readonly Message[]): string {
  const { id, title, created_at, updated_at, model, system_prompt, sampling, n_ctx, overflow } =
    chat;
  const header = {
    type: "chat",
    version: JSONL_VERSION,
    id,
    title,
    created_at,
    updated_at,
    model,
    system_prompt,
    sampling,
    n_ctx,
    overflow,
    active_leaf_id: activeLeaf(chat, messages),
  };
  // chat_id is left out: every message line belongs to the header's chat.
  const lines = [
    header,
    ...parentsFirst(messages).map(({ chat_id: _, ...message }) => ({
      type: "message",
      ...message,
    })),
  ];
  return lines.map((line) => `${JSON.stringify(line)}\n`).join("");
}

/** The chat's active leaf if it is among `messages`, else the last message (a branch's end). */
function activeLeaf(chat: Chat, messages: readonly Message[]): string | null {
  const leaf = chat.active_leaf_id;
  return leaf !== null && messages.some((m) => m.id === leaf) ? leaf : messages.at(-1)?.id ?? null;
}

/**
 * Orders messages so each comes after its parent (import needs that), keeping the given
 * order otherwise; a message whose parent is not in the list counts as a root.
 */
function parentsFirst(messages: readonly Message[]): Message[] {
  const ids = new Set(messages.map((m) => m.id));
  const children = new Map<string | null, Message[]>();
  for (const m of messages) {
    const parent = m.parent_id !== null && ids.has(m.parent_id) ? m.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), m]);
  }
  const out: Message[] = [];
  const stack = [...(children.get(null) ?? [])].reverse();
  while (stack.length > 0) {
    const m = stack.pop()!;
    out.push(m);
    stack.push(...[...(children.get(m.id) ?? [])].reverse());
  }
  return out;
}

/**
 * Renders a branch as OpenAI chat messages: `{"messages":[{"role","content"}...]}`, the
 * chat's system prompt first, as a request body for `/v1/chat/completions` would have
 * them.
 *
 * @param chat The chat.
 * @param branch Its messages, root first.
 * @returns The JSON text, ending in a newline.
 */
export function exportOpenAI(chat: Chat, branch: readonly Message[]): string {
  const messages = branch.map(({ role, content }) => ({ role, content }));
  if (chat.system_prompt) messages.unshift({ role: "system", content: chat.system_prompt });
  return `${JSON.stringify({ messages }, null, 2)}\n`;
}

/**
 * Renders a branch in one of the {@link EXPORT_FORMATS}.
 *
 * @param chat The chat.
 * @param branch Its messages, root first.
 * @param format The format.
 * @returns The file's text.
 * @throws {TypeError} On an unknown format.
 */
export function exportBranch(chat: Chat, branch: readonly Message[], format: ExportFormat): string {
  switch (format) {
    case "md":
      return exportMarkdown(chat, branch);
    case "jsonl":
      return exportJsonl(chat, branch);
    case "openai":
      return exportOpenAI(chat, branch);
    default:
      throw new TypeError(
        `Cannot export chat: unknown format "${format}"; use "md", "jsonl" or "openai"`,
      );
  }
}
