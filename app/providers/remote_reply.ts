/**
 * A chat reply generated on a remote provider: the reply runner (app/replies.ts) hands
 * over a streaming assistant message whose `backend` is "remote"; its text streams to the
 * watchers and is saved as it grows, like a local reply, and the provider's usage becomes
 * the message's metrics. Failures are thrown to the runner, which keeps what arrived.
 *
 * @module
 */
import type { ChatMessage } from "../../engine/chat_template.ts";
import type { Message, Sampling, Storage } from "../../storage/mod.ts";
import type { CompletionResult } from "./backend.ts";
import type { ProviderRegistry } from "./registry.ts";

/** How often a growing reply is written to the database, in milliseconds. */
const SAVE_INTERVAL_MS = 200;

/** What a watcher of a reply receives (app/replies.ts `ReplyEvent`, the parts used here). */
type Emit = (
  event: { type: "delta"; text: string } | { type: "done"; message: Message },
) => void;

/**
 * Generates `message` on its provider (`message.provider`, model `message.model`),
 * appending to `job.content`; stops when `job.abort` aborts (the reply ends incomplete).
 *
 * @throws {ProviderError} subclasses when the provider fails; `job.content` keeps the text so far.
 */
export async function runRemoteReply(
  storage: Storage,
  providers: ProviderRegistry,
  message: Message,
  job: { content: string; abort: AbortController },
  prompt: ChatMessage[],
  sampling: Required<Sampling>,
  emit: Emit,
): Promise<void> {
  const started = performance.now();
  const completion = providers.backend(message.provider ?? "").complete({
    model: message.model ?? "",
    messages: prompt,
    sampling: {
      temperature: sampling.temperature,
      topP: sampling.top_p,
      maxTokens: sampling.max_tokens,
      ...(sampling.seed === -1 ? {} : { seed: sampling.seed }),
    },
    signal: job.abort.signal,
  });
  let lastSave = performance.now();
  for await (const piece of completion) {
    job.content += piece.text;
    emit({ type: "delta", text: piece.text });
    if (performance.now() - lastSave >= SAVE_INTERVAL_MS) {
      storage.messages.updateContent(message.id, job.content);
      lastSave = performance.now();
    }
  }
  const result = await completion.result;
  emit({
    type: "done",
    message: storage.messages.finish(
      message.id,
      finished(job.content, result, performance.now() - started),
    ),
  });
}

/**
 * The message's end state: the provider's usage as metrics (what it did not report is 0), and
 * `durationMs`, the wall time from sending the request to its end (network included).
 */
function finished(content: string, result: CompletionResult, durationMs: number) {
  const m = result.metrics;
  return {
    state: result.finishReason === "abort" ? "incomplete" as const : "complete" as const,
    finish_reason: result.finishReason,
    content,
    metrics: {
      prompt_tokens: m.promptTokens ?? 0,
      cached_tokens: m.cachedTokens ?? 0,
      completion_tokens: m.completionTokens ?? 0,
      ttft_ms: m.ttftMs ?? 0,
      prompt_tok_per_sec: 0,
      gen_tok_per_sec: m.genTokPerSec ?? 0,
      duration_ms: durationMs,
    },
  };
}
