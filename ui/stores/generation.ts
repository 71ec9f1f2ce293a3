/**
 * Replies being generated: one text signal per streaming message, fed by the message's SSE
 * stream. Components bind that signal directly, so a token updates only its own message.
 * `waiting` holds the replies that wait for a slot (every slot busy with other replies).
 * `tokens` counts each stream's generated tokens (the live context bar adds them up).
 *
 * @module
 */
import { batch, createModel, type ReadonlySignal, signal } from "@preact/signals";
import type { Api, ApiError, Close } from "../api.ts";
import type { Message } from "../../api/types.ts";

/** What happens when a stream ends: the final message, or the error. */
export type StreamEnd = {
  finished(message: Message): void;
  /** `text` is what arrived before the failure. */
  failed(messageId: string, error: ApiError, text: string): void;
};

/** The generation store. */
export const GenerationModel = createModel((api: Api, end: StreamEnd) => {
  /** Text so far of each message being streamed, by message id. */
  const streams = signal<ReadonlyMap<string, ReadonlySignal<string>>>(new Map());
  /** Tokens generated so far of each message being streamed (0 for a provider's reply). */
  const tokens = signal<ReadonlyMap<string, ReadonlySignal<number>>>(new Map());
  /** Ids of the streaming messages that wait for a slot. */
  const waiting = signal<ReadonlySet<string>>(new Set());
  const closers = new Map<string, Close>();

  const setWaiting = (id: string, wait: boolean) => {
    if (waiting.value.has(id) === wait) return;
    const next = new Set(waiting.value);
    if (wait) next.add(id);
    else next.delete(id);
    waiting.value = next;
  };
  const without = (id: string) => {
    closers.get(id)?.();
    closers.delete(id);
    const next = new Map(streams.value);
    next.delete(id);
    const counts = new Map(tokens.value);
    counts.delete(id);
    batch(() => {
      streams.value = next;
      tokens.value = counts;
      setWaiting(id, false);
    });
  };
  /** Starts following message `id` (a no-op if already followed). */
  const attach = (id: string) => {
    if (closers.has(id)) return;
    const text = signal("");
    const count = signal(0);
    batch(() => {
      streams.value = new Map(streams.value).set(id, text);
      tokens.value = new Map(tokens.value).set(id, count);
    });
    const close = api.streamMessage(id, {
      snapshot: (content, wait, n) =>
        batch(() => (text.value = content, count.value = n, setWaiting(id, wait))),
      waiting: () => setWaiting(id, true),
      started: () => setWaiting(id, false),
      delta: (piece, n) => batch(() => (text.value += piece, count.value += n)),
      // One batch: the message gets its final content and loses its stream in one render.
      done: (message) => batch(() => (without(id), end.finished(message))),
      error: (error) => batch(() => (without(id), end.failed(id, error, text.value))),
    });
    closers.set(id, close);
  };
  /** Stops following `id` (the reply goes on on the server). */
  const detach = (id: string) => without(id);
  const detachAll = () => {
    for (const id of [...closers.keys()]) without(id);
  };
  return { streams, tokens, waiting, attach, detach, detachAll };
});

/** An instance of {@link GenerationModel}. */
export type GenerationStore = InstanceType<typeof GenerationModel>;
