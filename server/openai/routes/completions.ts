/**
 * `POST /v1/completions`: the legacy text completion of a raw prompt (a string, an
 * array of one string, or token ids), whole or streamed. As in OpenAI's API,
 * `max_tokens` (or llama-server's `n_predict`) defaults to 16; `echo` prepends the
 * prompt text. Unknown fields are ignored and named in `X-Hearth-Ignored-Fields`.
 *
 * @module
 */
import { Hono } from "hono";
import type { GenerationResult } from "../../../engine/types.ts";
import type { OpenAiEnv, RouteDeps } from "../env.ts";
import { ServedLoras } from "../loras.ts";
import { invalidRequest } from "../errors.ts";
import {
  invalidValue,
  type JsonObject,
  optionalBoolean,
  optionalNumber,
  wrongType,
} from "../fields.ts";
import { type StartedGeneration, startGeneration } from "../generation_run.ts";
import { newId, nowSeconds } from "../ids.ts";
import { LOCAL_SERVER_FIELDS, readLocalServerFields } from "../local_server_fields.ts";
import { checkModel } from "../model_field.ts";
import { limitPredictTime } from "../predict_time_limit.ts";
import { RequestFields, withIgnoredFields } from "../request_fields.ts";
import { readMaxTokens, readSampling, SAMPLING_FIELDS } from "../sampling_fields.ts";
import { sseResponse } from "../sse.ts";
import { openAiFinish, type ResponseMeta, timingsOf, usageOf } from "../response_shapes.ts";

const FIELDS: ReadonlySet<string> = new Set([
  ...SAMPLING_FIELDS,
  ...LOCAL_SERVER_FIELDS,
  "model",
  "prompt",
  "echo",
  "best_of",
  "logprobs",
  "suffix",
]);
/** OpenAI's default length of a text completion, in tokens. */
const DEFAULT_MAX_TOKENS = 16;

/** The completions route, mounted at `/v1/completions`. */
export function completionsRoute(deps: RouteDeps): Hono<OpenAiEnv> {
  const route = new Hono<OpenAiEnv>();
  route.post("/", async (c) => {
    const body = c.var.body;
    const fields = new RequestFields(body);
    fields.ignoreUnknown(body, FIELDS);
    checkModel(body.model, deps.backend.id, deps.backend.aliases);
    const prompt = readPrompt(body.prompt, deps.backend.info.nVocab);
    const local = readLocalServerFields(fields);
    const maxTokens = readMaxTokens(body.max_tokens, "max_tokens") ?? local.nPredict ??
      DEFAULT_MAX_TOKENS;
    const sampling = readSampling(fields, maxTokens, deps.backend.info);
    readUnsupported(body);
    const echo = optionalBoolean(body.echo, "echo") ?? false;
    if (echo && typeof prompt !== "string") {
      throw invalidRequest("Invalid 'echo': only text prompts can be echoed.", "echo");
    }
    const loras = (deps.backend.loras ?? new ServedLoras()).forRequest(local.lora);
    const abort = c.var.abort;
    const generate = (signal: AbortSignal) =>
      deps.backend.generate(prompt, { ...sampling.options, loras, signal });
    const started = await startGeneration(
      () => limitPredictTime(generate, abort.signal, local.tMaxPredictMs),
      deps.metrics,
    );
    const meta = { id: newId("cmpl-"), created: nowSeconds(), model: deps.backend.id };
    const prefix = echo ? prompt as string : "";
    if (sampling.stream) {
      const events = completionChunks(meta, started, prefix, sampling.includeUsage);
      return withIgnoredFields(sseResponse(events, abort), fields.ignored);
    }
    const result = await started.result;
    return withIgnoredFields(
      c.json({
        ...meta,
        object: "text_completion",
        choices: [choice(prefix + result.text, openAiFinish(result.finishReason))],
        usage: usageOf(result.metrics),
        timings: timingsOf(result.metrics),
      }),
      fields.ignored,
    );
  });
  return route;
}

function choice(text: string, finish: string | null): Record<string, unknown> {
  return { text, index: 0, logprobs: null, finish_reason: finish };
}

async function* completionChunks(
  meta: ResponseMeta,
  started: StartedGeneration,
  prefix: string,
  includeUsage: boolean,
): AsyncGenerator<Record<string, unknown>> {
  const chunk = (text: string, finish: string | null = null) => ({
    ...meta,
    object: "text_completion",
    choices: [choice(text, finish)],
    ...(includeUsage ? { usage: null } : {}),
  });
  if (prefix !== "") yield chunk(prefix);
  for await (const batch of started.batches) {
    const text = batch.length === 1 ? batch[0].text : batch.map((piece) => piece.text).join("");
    if (text !== "") yield chunk(text);
  }
  const result: GenerationResult = await started.result;
  yield chunk("", openAiFinish(result.finishReason));
  if (includeUsage) {
    yield {
      ...meta,
      object: "text_completion",
      choices: [],
      usage: usageOf(result.metrics),
      timings: timingsOf(result.metrics),
    };
  }
}

/** A string, an array of one string, token ids, or an array of one token id array. */
function readPrompt(value: unknown, nVocab: number): string | number[] {
  if (value === undefined || value === null) {
    throw invalidRequest(
      "Missing required parameter: 'prompt'.",
      "prompt",
      "missing_required_parameter",
    );
  }
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) throw wrongType("prompt", "a string or an array", value);
  if (value.length > 0 && value.every((t) => typeof t === "number")) {
    return readTokens(value, nVocab);
  }
  if (value.length !== 1) {
    throw invalidValue(
      "prompt",
      `this server completes one prompt per request, but got ${value.length}`,
    );
  }
  const [only] = value;
  if (typeof only === "string") return only;
  if (Array.isArray(only) && only.length > 0) return readTokens(only, nVocab);
  throw wrongType("prompt[0]", "a string or an array of token ids", only);
}

function readTokens(tokens: unknown[], nVocab: number): number[] {
  return tokens.map((t, i) =>
    optionalNumber(t, `prompt[${i}]`, { integer: true, min: 0, max: nVocab - 1 })!
  );
}

function readUnsupported(body: JsonObject): void {
  if (optionalNumber(body.logprobs, "logprobs", { integer: true, min: 0, max: 5 })) {
    throw invalidRequest(
      "Invalid 'logprobs': log probabilities are not supported by this server.",
      "logprobs",
    );
  }
  const bestOf = optionalNumber(body.best_of, "best_of", { integer: true, min: 0, max: 20 });
  if (bestOf !== undefined && bestOf !== 1) {
    throw invalidRequest(
      "Invalid 'best_of': this server generates one candidate; use best_of=1.",
      "best_of",
    );
  }
  if (body.suffix !== undefined && body.suffix !== null) {
    throw invalidRequest(
      "Invalid 'suffix': insertion (suffix) is not supported by this server.",
      "suffix",
    );
  }
}
