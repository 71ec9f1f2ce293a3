/**
 * OpenAI chat messages to the engine's `{role, content, images}` turns. Content may be a
 * string or an array of text and (in user messages) `image_url` parts (joined with "\n",
 * as llama-server does, an image as a media marker where its part was); an
 * assistant's past `tool_calls` are written into its text in the template family's
 * own syntax, since the engine's messages carry text only; `developer` is read as
 * `system`.
 *
 * @module
 */
import { type ChatMessage, type ChatRole, MEDIA_MARKER } from "../../engine/chat_template.ts";
import { invalidRequest } from "./errors.ts";
import {
  invalidValue,
  type JsonObject,
  optionalArray,
  optionalObject,
  optionalString,
  rejectUnknown,
  requiredString,
  wrongType,
} from "./fields.ts";
import type { ToolCall, ToolFormat } from "./tool_formats.ts";
import { readImagePart, type RemoteImage } from "./image_parts.ts";

/** How `image_url` parts are read: whether http(s) URLs may be fetched, and where they go. */
export interface ImageOptions {
  /** http(s) image URLs are accepted (the server's `--allow-image-urls`). Default false. */
  allowUrls: boolean;
  /** Receives the http(s) images to fetch before the request runs. */
  remote: RemoteImage[];
}

const ROLES = ["system", "developer", "user", "assistant", "tool"];
const MESSAGE_FIELDS = new Set([
  "role",
  "content",
  "name",
  "tool_calls",
  "tool_call_id",
  "refusal",
  "audio",
  "function_call",
  // llama-server and DeepSeek return it; clients send it back in the history.
  "reasoning_content",
]);

/**
 * Reads `messages`.
 *
 * @param tools The template's tool syntax, or undefined when it has none (past tool
 *   calls are then refused).
 * @throws {OpenAiError} 400 naming the message field at fault.
 */
export function readMessages(
  value: unknown,
  tools: ToolFormat | undefined,
  imageOptions: ImageOptions = { allowUrls: false, remote: [] },
): ChatMessage[] {
  const list = optionalArray(value, "messages");
  if (list === undefined) {
    throw invalidRequest("Missing required parameter: 'messages'.", "messages");
  }
  if (list.length === 0) {
    throw invalidValue(
      "messages",
      "empty array. Expected an array with minimum length 1, but got an empty array instead",
    );
  }
  return list.map((raw, i) => readMessage(raw, `messages[${i}]`, tools, imageOptions));
}

function readMessage(
  raw: unknown,
  path: string,
  tools: ToolFormat | undefined,
  imageOptions: ImageOptions,
): ChatMessage {
  const message = optionalObject(raw, path);
  if (message === undefined) throw wrongType(path, "an object", raw);
  rejectUnknown(message, MESSAGE_FIELDS, path);
  const role = requiredString(message.role, `${path}.role`);
  if (!ROLES.includes(role)) {
    throw invalidValue(
      `${path}.role`,
      `expected one of 'system', 'developer', 'user', 'assistant', 'tool', but got '${role}' instead`,
    );
  }
  optionalString(message.name, `${path}.name`);
  optionalString(message.refusal, `${path}.refusal`);
  optionalString(message.reasoning_content, `${path}.reasoning_content`);
  for (const key of ["audio", "function_call"]) {
    if (message[key] !== undefined && message[key] !== null) {
      throw invalidRequest(`'${path}.${key}' is not supported by this server.`, `${path}.${key}`);
    }
  }
  const calls = readToolCalls(message, role, path);
  if (role === "tool") requiredString(message.tool_call_id, `${path}.tool_call_id`);
  else if (message.tool_call_id !== undefined && message.tool_call_id !== null) {
    throw invalidRequest(
      `'${path}.tool_call_id' is only allowed on tool messages.`,
      `${path}.tool_call_id`,
    );
  }
  const nullable = role === "assistant";
  const images: Uint8Array[] = [];
  let content = readContent(message.content, `${path}.content`, nullable, {
    ...imageOptions,
    images: role === "user" ? images : undefined,
  });
  if (calls.length > 0) {
    if (tools === undefined) {
      throw invalidRequest(
        `'${path}.tool_calls' cannot be rendered: this model's chat template has no tool support.`,
        `${path}.tool_calls`,
      );
    }
    content = tools.render(content, calls);
  }
  const turn: ChatMessage = { role: (role === "developer" ? "system" : role) as ChatRole, content };
  if (images.length > 0) turn.images = images;
  return turn;
}

function readContent(
  value: unknown,
  path: string,
  nullable: boolean,
  imageOptions: ImageOptions & { images: Uint8Array[] | undefined },
): string {
  if (typeof value === "string") return value;
  if ((value === null || value === undefined) && nullable) return "";
  if (!Array.isArray(value)) {
    if (value === undefined) throw invalidRequest(`Missing required parameter: '${path}'.`, path);
    throw wrongType(path, "a string or an array of content parts", value);
  }
  // Text parts join with "\n" and each image stands where its part was, as a media
  // marker, as llama-server builds its multimodal prompt.
  return value.map((raw, j) => {
    const part = optionalObject(raw, `${path}[${j}]`);
    if (part === undefined) throw wrongType(`${path}[${j}]`, "an object", raw);
    const type = requiredString(part.type, `${path}[${j}].type`);
    if (type === "image_url" && imageOptions.images) {
      const { images, allowUrls, remote } = imageOptions;
      readImagePart(part, `${path}[${j}]`, images, remote, allowUrls);
      return MEDIA_MARKER;
    }
    if (type === "text") {
      rejectUnknown(part, new Set(["type", "text"]), `${path}[${j}]`);
      return requiredString(part.text, `${path}[${j}].text`);
    }
    if (type === "refusal" && nullable) {
      rejectUnknown(part, new Set(["type", "refusal"]), `${path}[${j}]`);
      return requiredString(part.refusal, `${path}[${j}].refusal`);
    }
    throw invalidRequest(
      `Invalid '${path}[${j}].type': '${type}' content is not supported by this server${
        type === "image_url" ? " in this message (images go in user messages)" : ""
      }; send text parts.`,
      `${path}[${j}].type`,
      "invalid_value",
    );
  }).join("\n");
}

function readToolCalls(message: JsonObject, role: string, path: string): ToolCall[] {
  const list = optionalArray(message.tool_calls, `${path}.tool_calls`);
  if (list === undefined) return [];
  if (role !== "assistant") {
    throw invalidRequest(
      `'${path}.tool_calls' is only allowed on assistant messages.`,
      `${path}.tool_calls`,
    );
  }
  return list.map((raw, k) => {
    const at = `${path}.tool_calls[${k}]`;
    const call = optionalObject(raw, at);
    if (call === undefined) throw wrongType(at, "an object", raw);
    rejectUnknown(call, new Set(["id", "type", "function"]), at);
    requiredString(call.id, `${at}.id`);
    if (requiredString(call.type, `${at}.type`) !== "function") {
      throw invalidValue(`${at}.type`, `expected 'function', but got '${call.type}' instead`);
    }
    const fn = optionalObject(call.function, `${at}.function`);
    if (fn === undefined) {
      throw invalidRequest(`Missing required parameter: '${at}.function'.`, `${at}.function`);
    }
    rejectUnknown(fn, new Set(["name", "arguments"]), `${at}.function`);
    return {
      name: requiredString(fn.name, `${at}.function.name`),
      arguments: requiredString(fn.arguments, `${at}.function.arguments`),
    };
  });
}
