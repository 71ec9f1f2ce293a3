/**
 * `POST /v1/chat/completions` for a remote provider's model: when the body's `model` is
 * `NAME:MODEL` of a configured provider, the request goes there through its RemoteBackend
 * (retries, timeouts, its concurrency limit) and the answer comes back in OpenAI's shape,
 * whole or as server-sent events; any other model falls through to the local route. So one
 * local endpoint fronts local and remote models.
 *
 * Only the messages' text, temperature, top_p, max_tokens, seed and stop are passed on.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { ChatMessage } from "../../../engine/chat_template.ts";
import type { CompletionResult, CompletionSampling } from "../../../app/providers/backend.ts";
import type { ProviderRegistry } from "../../../app/providers/registry.ts";
import type { OpenAiEnv } from "../env.ts";
import { OpenAiError } from "../errors.ts";
import { newId, nowSeconds } from "../ids.ts";
import { sseResponse } from "../sse.ts";
import type { JsonObject } from "../fields.ts";

/** The middleware, mounted on `/v1/chat/completions` before the local route. */
export function remoteChat(providers: ProviderRegistry): MiddlewareHandler<OpenAiEnv> {
  return async (c, next) => {
    const body = c.var.body;
    const remote = typeof body.model === "string" ? providers.resolve(body.model) : null;
    if (c.req.method !== "POST" || !remote) return await next();
    const completion = providers.backend(remote.provider).complete({
      model: remote.model,
      messages: messagesOf(body),
      sampling: samplingOf(body),
      signal: c.var.abort.signal,
    });
    const meta = { id: newId("chatcmpl-"), created: nowSeconds(), model: body.model as string };
    if (body.stream === true) {
      const usage = (body.stream_options as JsonObject | undefined)?.include_usage === true;
      return sseResponse(chunks(meta, completion, usage), c.var.abort);
    }
    for await (const _ of completion) {
      // Drained; the result has the whole text.
    }
    const result = await completion.result;
    return c.json({
      ...meta,
      object: "chat.completion",
      choices: [{
        index: 0,
        message: { role: "assistant", content: result.text },
        finish_reason: finishReason(result),
      }],
      usage: usageOf(result),
    });
  };
}

type Meta = { id: string; created: number; model: string };

async function* chunks(
  meta: Meta,
  completion: AsyncIterable<{ text: string }> & { result: Promise<CompletionResult> },
  includeUsage: boolean,
): AsyncGenerator<unknown> {
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    ...meta,
    object: "chat.completion.chunk",
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  yield chunk({ role: "assistant", content: "" }, null);
  for await (const piece of completion) yield chunk({ content: piece.text }, null);
  const result = await completion.result;
  yield chunk({}, finishReason(result));
  if (includeUsage) {
    yield { ...meta, object: "chat.completion.chunk", choices: [], usage: usageOf(result) };
  }
}

function finishReason(result: CompletionResult): string {
  return result.finishReason === "abort" ? "stop" : result.finishReason;
}

function usageOf(result: CompletionResult) {
  const prompt = result.metrics.promptTokens ?? 0;
  const completion = result.metrics.completionTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

function messagesOf(body: JsonObject): ChatMessage[] {
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new OpenAiError(400, "invalid_request_error", "messages must be a non-empty array");
  }
  return body.messages.map((m, i) => {
    const message = m as JsonObject;
    const content = typeof message.content === "string"
      ? message.content
      : Array.isArray(message.content)
      ? message.content.map((part) => (part as JsonObject).text ?? "").join("")
      : "";
    if (typeof message.role !== "string") {
      throw new OpenAiError(400, "invalid_request_error", `messages[${i}].role must be a string`);
    }
    return { role: message.role as ChatMessage["role"], content };
  });
}

function samplingOf(body: JsonObject): CompletionSampling {
  const number = (key: string) => typeof body[key] === "number" ? body[key] as number : undefined;
  const stop = body.stop;
  return {
    temperature: number("temperature"),
    topP: number("top_p"),
    maxTokens: number("max_completion_tokens") ?? number("max_tokens"),
    seed: number("seed"),
    ...(typeof stop === "string" || Array.isArray(stop) ? { stop: stop as string[] } : {}),
  };
}
