/**
 * Reads a `POST /v1/chat/completions` body into what the backend's `chat` takes.
 * Every known field is validated (400 naming it); unknown fields are ignored and
 * listed in `ignoredFields`, as llama-server, LM Studio and Ollama ignore them.
 * Accepted but without effect here: `user`, `metadata`, `store`, `service_tier`,
 * `prompt_cache_key`, `safety_identifier`, `parallel_tool_calls`. Extensions from
 * llama-server and Ollama: see sampling_fields.ts and local_server_fields.ts, and
 * docs/openai-api.md for the whole table.
 *
 * @module
 */
import { type ChatMessage, DEFAULT_CHAT_TEMPLATE } from "../../engine/chat_template.ts";
import type { ChatOptions } from "../../engine/generate_options.ts";
import type { BackendCallOptions, CompletionBackend } from "./backend.ts";
import { ServedLoras } from "./loras.ts";
import { readMessages } from "./chat_messages.ts";
import type { RemoteImage } from "./image_parts.ts";
import { invalidRequest } from "./errors.ts";
import {
  invalidValue,
  type JsonObject,
  optionalArray,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
} from "./fields.ts";
import { LOCAL_SERVER_FIELDS, readLocalServerFields } from "./local_server_fields.ts";
import { checkModel } from "./model_field.ts";
import { RequestFields } from "./request_fields.ts";
import { readResponseFormat } from "./response_format.ts";
import { readMaxTokens, readSampling, SAMPLING_FIELDS } from "./sampling_fields.ts";
import { readTools, type ToolSetup } from "./tools_request.ts";

const CHAT_FIELDS: ReadonlySet<string> = new Set([
  ...SAMPLING_FIELDS,
  ...LOCAL_SERVER_FIELDS,
  "model",
  "messages",
  "max_completion_tokens",
  "response_format",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "logprobs",
  "top_logprobs",
  "modalities",
  "metadata",
  "store",
  "service_tier",
  "prompt_cache_key",
  "safety_identifier",
]);

/** A validated chat request. */
export interface ChatRequest {
  /** The conversation as the engine takes it. */
  messages: ChatMessage[];
  /** Options for `backend.chat` (the route adds the signal). */
  options: ChatOptions & BackendCallOptions;
  /** http(s) images to fetch into `messages` before the request runs. */
  remoteImages: RemoteImage[];
  /** Answer with server-sent events. */
  stream: boolean;
  /** Send a usage chunk before `[DONE]`. */
  includeUsage: boolean;
  /** Tools in play, when the client offered some and tool_choice is not "none". */
  tools: ToolSetup | undefined;
  /** llama-server's t_max_predict_ms, in milliseconds; undefined = no limit. */
  tMaxPredictMs: number | undefined;
  /** Request fields given but not honoured (unknown ones included), for the response header. */
  ignoredFields: readonly string[];
}

/**
 * Validates a chat completion body.
 *
 * @param chatTemplate The server's template override, if any.
 * @throws {OpenAiError} 400 naming the field at fault, 404 for another model.
 */
export function readChatRequest(
  body: JsonObject,
  backend: CompletionBackend,
  chatTemplate: string | undefined,
  allowImageUrls = false,
): ChatRequest {
  const fields = new RequestFields(body);
  fields.ignoreUnknown(body, CHAT_FIELDS);
  checkModel(body.model, backend.id, backend.aliases);
  const template = chatTemplate ?? backend.info.chatTemplate ?? DEFAULT_CHAT_TEMPLATE;
  const { setup, format } = readTools(body, template);
  const remoteImages: RemoteImage[] = [];
  const messages = readMessages(body.messages, format, {
    allowUrls: allowImageUrls,
    remote: remoteImages,
  });
  const withImage = messages.findIndex((message) => message.images?.length);
  if (withImage >= 0 && backend.vision === false) {
    throw invalidRequest(
      `Invalid 'messages[${withImage}].content': this model takes no images: it has no ` +
        "mmproj loaded (llama-server's --mmproj FILE); send text only.",
      `messages[${withImage}].content`,
      "invalid_value",
    );
  }
  const local = readLocalServerFields(fields);
  const maxTokens = readMaxTokens(body.max_completion_tokens, "max_completion_tokens") ??
    readMaxTokens(body.max_tokens, "max_tokens") ?? local.nPredict;
  const sampling = readSampling(fields, maxTokens, backend.info);
  readCompatFields(body);
  const formatGrammar = readResponseFormat(body.response_format);
  if (formatGrammar !== undefined && setup?.grammar !== undefined) {
    throw invalidRequest(
      "Invalid 'response_format': it cannot be combined with a forced tool call (tool_choice 'required' or a named function).",
      "response_format",
    );
  }
  const grammar = formatGrammar ?? setup?.grammar;
  const options: ChatOptions & BackendCallOptions = {
    ...sampling.options,
    loras: (backend.loras ?? new ServedLoras()).forRequest(local.lora),
  };
  if (grammar !== undefined) options.grammar = grammar;
  if (chatTemplate !== undefined) options.chatTemplate = chatTemplate;
  if (setup !== undefined) options.templateVars = { tools: setup.templateTools };
  return {
    messages,
    remoteImages,
    options,
    stream: sampling.stream,
    includeUsage: sampling.includeUsage,
    tools: setup,
    tMaxPredictMs: local.tMaxPredictMs,
    ignoredFields: fields.ignored,
  };
}

/** Fields accepted for compatibility that change nothing, or only their off value. */
function readCompatFields(body: JsonObject): void {
  if (optionalBoolean(body.logprobs, "logprobs")) {
    throw invalidRequest(
      "Invalid 'logprobs': log probabilities are not supported by this server.",
      "logprobs",
    );
  }
  if (optionalNumber(body.top_logprobs, "top_logprobs", { integer: true, min: 0, max: 20 })) {
    throw invalidRequest(
      "Invalid 'top_logprobs': log probabilities are not supported by this server.",
      "top_logprobs",
    );
  }
  const modalities = optionalArray(body.modalities, "modalities");
  if (modalities !== undefined && (modalities.length !== 1 || modalities[0] !== "text")) {
    throw invalidValue("modalities", 'this server only answers with text: use ["text"]');
  }
  const metadata = optionalObject(body.metadata, "metadata");
  for (const [key, value] of Object.entries(metadata ?? {})) {
    optionalString(value, `metadata.${key}`);
  }
  optionalBoolean(body.store, "store");
  optionalString(body.service_tier, "service_tier");
  optionalString(body.prompt_cache_key, "prompt_cache_key");
  optionalString(body.safety_identifier, "safety_identifier");
}
