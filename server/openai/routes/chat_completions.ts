/**
 * `POST /v1/chat/completions`: a chat completion, whole or as server-sent events.
 *
 * @module
 */
import { Hono } from "hono";
import { chatChunks, chatCompletion } from "../chat_response.ts";
import { readChatRequest } from "../chat_request.ts";
import type { OpenAiEnv, RouteDeps } from "../env.ts";
import { startGeneration } from "../generation_run.ts";
import { newId, nowSeconds } from "../ids.ts";
import { sseResponse } from "../sse.ts";

/** The chat completions route, mounted at `/v1/chat/completions`. */
export function chatCompletionsRoute(deps: RouteDeps): Hono<OpenAiEnv> {
  const route = new Hono<OpenAiEnv>();
  route.post("/", async (c) => {
    const request = readChatRequest(c.var.body, deps.backend, deps.chatTemplate);
    const abort = c.var.abort;
    const started = await startGeneration(
      () => deps.backend.chat(request.messages, { ...request.options, signal: abort.signal }),
      deps.metrics,
    );
    const meta = { id: newId("chatcmpl-"), created: nowSeconds(), model: deps.backend.id };
    if (request.stream) {
      return sseResponse(chatChunks(meta, started, request.tools, request.includeUsage), abort);
    }
    return c.json(chatCompletion(meta, await started.result, request.tools));
  });
  return route;
}
