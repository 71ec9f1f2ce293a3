/**
 * Chat completion responses in OpenAI's shapes: the `chat.completion` object, and the
 * `chat.completion.chunk` events of a stream (the role first, content deltas, tool
 * calls, the finish reason, then an optional usage chunk with `choices: []`).
 *
 * @module
 */
import type { GenerationResult } from "../../engine/types.ts";
import type { StartedGeneration } from "./generation_run.ts";
import { newId } from "./ids.ts";
import type { ToolCall } from "./tool_formats.ts";
import type { ToolSetup } from "./tools_request.ts";
import { openAiFinish, type ResponseMeta, timingsOf, usageOf } from "./response_shapes.ts";

/** The `chat.completion` object of a finished generation. */
export function chatCompletion(
  meta: ResponseMeta,
  result: GenerationResult,
  tools: ToolSetup | undefined,
): Record<string, unknown> {
  const parsed = tools?.format.parse(result.text);
  const calls = parsed?.calls ?? [];
  const message = calls.length > 0
    ? {
      role: "assistant",
      content: parsed!.content === "" ? null : parsed!.content,
      refusal: null,
      tool_calls: calls.map(toolCallJson),
    }
    : { role: "assistant", content: result.text, refusal: null };
  return {
    ...meta,
    object: "chat.completion",
    choices: [{
      index: 0,
      message,
      logprobs: null,
      finish_reason: calls.length > 0 ? "tool_calls" : openAiFinish(result.finishReason),
    }],
    usage: usageOf(result.metrics),
    timings: timingsOf(result.metrics),
  };
}

/**
 * The chunks of a streamed chat completion. With tools in play, text that may be
 * the start of a tool call is held back until it is clear; calls go out whole, one
 * delta each, once the generation ends.
 */
export async function* chatChunks(
  meta: ResponseMeta,
  started: StartedGeneration,
  tools: ToolSetup | undefined,
  includeUsage: boolean,
): AsyncGenerator<Record<string, unknown>> {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    ...meta,
    object: "chat.completion.chunk",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  yield chunk({ role: "assistant", content: "", refusal: null });
  let text = "";
  let sent = 0;
  for await (const batch of started.batches) {
    for (const piece of batch) text += piece.text;
    const upTo = Math.max(sent, tools ? tools.format.holdFrom(text) : text.length);
    if (upTo > sent) yield chunk({ content: text.slice(sent, upTo) });
    sent = upTo;
  }
  const result = await started.result;
  const calls = tools?.format.parse(text).calls ?? [];
  if (calls.length === 0 && sent < text.length) yield chunk({ content: text.slice(sent) });
  for (const [index, call] of calls.entries()) {
    yield chunk({ tool_calls: [{ index, ...toolCallJson(call) }] });
  }
  yield chunk({}, calls.length > 0 ? "tool_calls" : openAiFinish(result.finishReason));
  if (includeUsage) {
    yield {
      ...meta,
      object: "chat.completion.chunk",
      choices: [],
      usage: usageOf(result.metrics),
      timings: timingsOf(result.metrics),
    };
  }
}

function toolCallJson(call: ToolCall): Record<string, unknown> {
  return {
    id: newId("call_"),
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  };
}
