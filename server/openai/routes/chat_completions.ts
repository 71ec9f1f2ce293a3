/**
 * `POST /v1/chat/completions`: a chat completion, whole or as server-sent events.
 *
 * @module
 */
import { Hono } from "hono";
import { chatChunks, chatCompletion } from "../chat_response.ts";
import { readChatRequest } from "../chat_request.ts";
import { fetchRemoteImages } from "../image_parts.ts";
import type { OpenAiEnv, RouteDeps } from "../env.ts";
import { startGeneration } from "../generation_run.ts";
import { newId, nowSeconds } from "../ids.ts";
import { limitPredictTime } from "../predict_time_limit.ts";
import { withIgnoredFields } from "../request_fields.ts";
import { sseResponse } from "../sse.ts";

/** The chat completions route, mounted at `/v1/chat/completions`. */
export function chatCompletionsRoute(deps: RouteDeps): Hono<OpenAiEnv> {
  const route = new Hono<OpenAiEnv>();
  route.post("/", async (c) => {
    const request = readChatRequest(
      c.var.body,
      deps.backend,
      deps.chatTemplate,
      deps.allowImageUrls,
    );
    const abort = c.var.abort;
    await fetchRemoteImages(request.remoteImages, abort.signal);
    const chat = (signal: AbortSignal) =>
      deps.backend.chat(request.messages, { ...request.options, signal });
    const started = await startGeneration(
      () => limitPredictTime(chat, abort.signal, request.tMaxPredictMs),
      deps.metrics,
    );
    const meta = { id: newId("chatcmpl-"), created: nowSeconds(), model: deps.backend.id };
    const response = request.stream
      ? sseResponse(chatChunks(meta, started, request.tools, request.includeUsage), abort)
      : c.json(chatCompletion(meta, await started.result, request.tools));
    return withIgnoredFields(response, request.ignoredFields);
  });
  return route;
}
