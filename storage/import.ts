/**
 * Parses and validates import files (our JSONL and OpenAI messages JSON) into a
 * {@link ParsedChat}; nothing touches the database until the whole file is valid.
 * `Storage.importChat` then writes it in one transaction.
 *
 * @module
 */
import {
  checkInteger,
  checkKeys,
  checkNCtx,
  checkObject,
  checkOneOf,
  checkSampling,
  checkString,
  checkStringOrNull,
  fail,
  isObject,
  OVERFLOWS,
} from "./_validate.ts";
import type { NewChat } from "./chats.ts";
import { ChatImportError } from "./errors.ts";
import { JSONL_VERSION } from "./export.ts";
import { checkNewMessage } from "./_message_fields.ts";
import type { NewMessage } from "./messages.ts";

/** The import formats: our JSONL and OpenAI `{"messages": [...]}` JSON. */
export type ImportFormat = "jsonl" | "openai";

/** One message of a parsed file; `parent` is an index into `messages`, or null. */
export interface ParsedMessage {
  /** Index of the parent in {@link ParsedChat.messages}; null = a first message. */
  parent: number | null;
  /** The message's fields (`parent_id` is replaced on write). */
  fields: NewMessage;
  /** Creation time from the file, ms since the epoch. */
  created_at?: number;
}

/** A validated import file, ready to write. */
export interface ParsedChat {
  /** The chat's fields. */
  chat: NewChat & { created_at?: number };
  /** Its messages, parents before children. */
  messages: ParsedMessage[];
  /** Index of the active leaf in `messages`; null when there are no messages. */
  activeLeaf: number | null;
}

const TIME_MAX = 8.64e15; // the largest time a JS Date can hold, in ms

/** Runs `check`, turning a field error into a {@link ChatImportError} at `location`. */
function at<T>(format: string, location: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    const reason = error.message.charAt(0).toLowerCase() + error.message.slice(1);
    const field = (error as { field?: string }).field;
    throw new ChatImportError(format, location, reason, field, { cause: error });
  }
}

function missing(format: string, location: string, field: string): never {
  throw new ChatImportError(format, location, `field "${field}" is missing`, field);
}

function parseJson(format: string, location: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ChatImportError(format, location, `invalid JSON (${reason})`, undefined, {
      cause: error,
    });
  }
}

const HEADER_KEYS = [
  "type",
  "version",
  "id",
  "title",
  "created_at",
  "updated_at",
  "model",
  "system_prompt",
  "sampling",
  "n_ctx",
  "overflow",
  "active_leaf_id",
];

function parseHeader(value: unknown): { chat: ParsedChat["chat"]; activeLeafId?: string } {
  const header = checkObject(value, "chat");
  if (header.type !== "chat") {
    fail(TypeError, "type", `must be "chat" on the first line, got ${JSON.stringify(header.type)}`);
  }
  checkKeys(header, "", HEADER_KEYS);
  if (header.version !== undefined) checkInteger(header.version, "version", 1, JSONL_VERSION);
  if (header.id !== undefined) checkString(header.id, "id");
  if (header.updated_at !== undefined) checkInteger(header.updated_at, "updated_at", 0, TIME_MAX);
  const chat: ParsedChat["chat"] = {};
  if (header.title !== undefined) chat.title = checkString(header.title, "title");
  if (header.model !== undefined) chat.model = checkStringOrNull(header.model, "model");
  if (header.system_prompt !== undefined) {
    chat.system_prompt = checkString(header.system_prompt, "system_prompt");
  }
  if (header.sampling !== undefined) chat.sampling = checkSampling(header.sampling, "sampling");
  if (header.n_ctx !== undefined) chat.n_ctx = checkNCtx(header.n_ctx, "n_ctx");
  if (header.overflow !== undefined) {
    chat.overflow = checkOneOf(header.overflow, "overflow", OVERFLOWS);
  }
  if (header.created_at !== undefined) {
    chat.created_at = checkInteger(header.created_at, "created_at", 0, TIME_MAX);
  }
  const leaf = header.active_leaf_id;
  return { chat, activeLeafId: leaf == null ? undefined : checkString(leaf, "active_leaf_id") };
}

/**
 * Parses and validates our JSONL format (see export.ts for the format).
 *
 * @param text The file's text.
 * @returns The validated chat.
 * @throws {ChatImportError} Naming the line and field of the first problem.
 */
export function parseJsonl(text: string): ParsedChat {
  const format = "JSONL";
  const lines = text.split(/\r?\n/u);
  if (lines.every((line) => line.trim() === "")) {
    throw new ChatImportError(format, "", "the file is empty");
  }
  if (lines[0].trim() === "") throw new ChatImportError(format, "line 1", "the line is empty");
  const { chat, activeLeafId } = at(
    format,
    "line 1",
    () => parseHeader(parseJson(format, "line 1", lines[0])),
  );
  const messages: ParsedMessage[] = [];
  const indexById = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const location = `line ${i + 1}`;
    const value = parseJson(format, location, lines[i]);
    const parsed = at(format, location, () => {
      const object = checkObject(value, "message");
      checkOneOf(object.type, "type", ["message"]);
      if (object.role === undefined) missing(format, location, "role");
      if (object.content === undefined) missing(format, location, "content");
      const { type: _type, chat_id: _chatId, id, created_at, ...rest } = object;
      let parent = messages.length > 0 ? messages.length - 1 : null;
      if (rest.parent_id === null) parent = null;
      else if (rest.parent_id !== undefined) {
        const parentId = checkString(rest.parent_id, "parent_id");
        parent = indexById.get(parentId) ??
          fail(TypeError, "parent_id", `"${parentId}" names no earlier message`);
      }
      const fields = checkNewMessage({ ...rest, parent_id: null });
      if (fields.state === "streaming") fields.state = "incomplete";
      if (id !== undefined) {
        if (indexById.has(checkString(id, "id"))) fail(TypeError, "id", `"${id}" is used twice`);
        indexById.set(id as string, messages.length);
      }
      const message: ParsedMessage = { parent, fields };
      if (created_at !== undefined) {
        message.created_at = checkInteger(created_at, "created_at", 0, TIME_MAX);
      }
      return message;
    });
    messages.push(parsed);
  }
  let activeLeaf = messages.length > 0 ? messages.length - 1 : null;
  if (activeLeafId !== undefined) {
    const index = indexById.get(activeLeafId);
    if (index === undefined) {
      throw new ChatImportError(
        format,
        "line 1",
        `invalid field "active_leaf_id": "${activeLeafId}" names no message in the file`,
        "active_leaf_id",
      );
    }
    activeLeaf = index;
  }
  return { chat, messages, activeLeaf };
}

const OPENAI_ROLES = ["system", "developer", "user", "assistant"] as const;

/** OpenAI content: a string, or an array of `{type: "text", text}` parts. */
function openAIContent(value: unknown): string {
  if (!Array.isArray(value)) return checkString(value, "content");
  return value.map((part, i) => {
    const field = `content[${i}]`;
    const object = checkObject(part, field);
    checkOneOf(object.type, `${field}.type`, ["text"]);
    return checkString(object.text, `${field}.text`);
  }).join("\n");
}

/** A title from the first user message: its first line, at most 60 characters. */
function titleFrom(messages: readonly ParsedMessage[]): string {
  const first = messages.find((m) => m.fields.role === "user")?.fields.content?.trim() ?? "";
  const line = first.split("\n")[0];
  return line.length > 60 ? `${line.slice(0, 59)}…` : line || "Imported chat";
}

/**
 * Parses and validates OpenAI chat messages: `{"messages": [{role, content}, ...]}` (a
 * request body; other top-level fields are ignored) or a bare array of messages.
 * Roles are "system", "developer" (read as "system"), "user" and "assistant"; content
 * is a string or an array of text parts. A system message at index 0 becomes the
 * chat's system prompt; the rest form one branch.
 *
 * @param text The file's text.
 * @returns The validated chat.
 * @throws {ChatImportError} Naming the index and field of the first problem.
 */
export function parseOpenAI(text: string): ParsedChat {
  const format = "OpenAI messages";
  if (text.trim() === "") throw new ChatImportError(format, "", "the file is empty");
  const root = parseJson(format, "", text);
  const list = Array.isArray(root) ? root : isObject(root) ? root.messages : undefined;
  if (list === undefined) missing(format, "", "messages");
  if (!Array.isArray(list)) {
    throw new ChatImportError(format, "", 'field "messages" must be an array', "messages");
  }
  if (list.length === 0) {
    throw new ChatImportError(format, "", 'field "messages" is empty', "messages");
  }
  const chat: ParsedChat["chat"] = {};
  const messages: ParsedMessage[] = [];
  list.forEach((value, i) => {
    const location = `messages[${i}]`;
    const message = at(format, location, () => checkObject(value, "message"));
    if (message.role === undefined) missing(format, location, "role");
    if (message.content === undefined) missing(format, location, "content");
    const role = at(format, location, () => checkOneOf(message.role, "role", OPENAI_ROLES));
    const content = at(format, location, () => openAIContent(message.content));
    const fields: NewMessage = {
      parent_id: null,
      role: role === "developer" ? "system" : role,
      content,
    };
    if (i === 0 && fields.role === "system") chat.system_prompt = content;
    else messages.push({ parent: messages.length > 0 ? messages.length - 1 : null, fields });
  });
  chat.title = titleFrom(messages);
  return { chat, messages, activeLeaf: messages.length > 0 ? messages.length - 1 : null };
}

/**
 * Tells the format of an import file from its content, never its name: a JSON array, or
 * an object with a "messages" field, is OpenAI messages; a first line that is an object
 * with "type": "chat" (our header) is JSONL. Anything else is read as JSONL when it has
 * several lines, else as OpenAI JSON, so the parser names the problem.
 *
 * @param text The file's text.
 */
export function detectImportFormat(text: string): ImportFormat {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[")) return "openai";
  const firstLine = trimmed.split(/\r?\n/u, 1)[0];
  try {
    const header = JSON.parse(firstLine);
    if (isObject(header) && header.type === "chat") return "jsonl";
    if (isObject(header) && header.messages !== undefined) return "openai"; // one line
  } catch {
    // not one JSON value per line: a pretty-printed document, or not JSON at all
  }
  try {
    const whole = JSON.parse(trimmed);
    if (isObject(whole) || Array.isArray(whole)) return "openai";
  } catch {
    // several JSON lines, or invalid
  }
  return trimmed.trimEnd().includes("\n") ? "jsonl" : "openai";
}

/**
 * Parses a file of one of the import formats.
 *
 * @param text The file's text.
 * @param format Its format; "auto" tells it from the content ({@link detectImportFormat}).
 * @returns The validated chat.
 * @throws {ChatImportError} If the file is invalid.
 * @throws {TypeError} On an unknown format.
 */
export function parseImport(text: string, format: ImportFormat | "auto"): ParsedChat {
  if (typeof text !== "string") throw new TypeError("Cannot import chat: text must be a string");
  if (format === "auto") format = detectImportFormat(text);
  if (format === "jsonl") return parseJsonl(text);
  if (format === "openai") return parseOpenAI(text);
  throw new TypeError(`Cannot import chat: unknown format "${format}"; use "jsonl" or "openai"`);
}
