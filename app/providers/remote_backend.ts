/**
 * A remote OpenAI-compatible provider as a {@link Backend}, through the official
 * `openai` SDK: streamed chat completions with a usage chunk, cancellation through
 * AbortSignal, a first-byte and an idle timeout, retries with exponential backoff and
 * jitter on 429, 5xx and connection errors (honouring `Retry-After`), and at most
 * `concurrency` requests open at once. Failures become the provider errors of
 * errors.ts, with the key redacted.
 *
 * Retries happen only before the first text arrives: a stream that drops mid-reply is
 * not repeated (the text so far was shown); it fails with {@link ProviderUpstreamError}.
 *
 * @module
 */
import OpenAI from "openai";
import {
  type Backend,
  type Completion,
  completionOf,
  type CompletionRequest,
  type CompletionResult,
} from "./backend.ts";
import {
  ProviderAuthError,
  ProviderError,
  ProviderModelNotFoundError,
  ProviderRateLimitError,
  ProviderUpstreamError,
  redactKey,
} from "./errors.ts";
import { Limiter } from "./limiter.ts";
import { MEDIA_MARKER } from "../../engine/chat_template.ts";
import { retryAfterMs, retryDelayMs } from "./retry.ts";

/** What the SDK is given as key when the provider needs none (llama-server's convention). */
export const NO_KEY = "sk-no-key-required";

/** How a {@link RemoteBackend} reaches its provider. */
export interface RemoteBackendOptions {
  /** The provider's name, for messages and provenance. */
  name: string;
  /** The OpenAI-compatible base URL, ending in `/v1` (e.g. "https://openrouter.ai/api/v1"). */
  baseUrl: string;
  /** Reads the API key at call time; undefined = send none. */
  apiKey: () => string | undefined;
  /** Requests open at once, 1..32. @default {5} */
  concurrency?: number;
  /** Longest wait for the response and its first chunk, in milliseconds. @default {60000} */
  firstByteTimeoutMs?: number;
  /** Longest silence between two chunks of a stream, in milliseconds. @default {60000} */
  idleTimeoutMs?: number;
  /** Retries after the first attempt. @default {4} */
  maxRetries?: number;
  /** The first backoff, doubled per retry (with jitter), in milliseconds. @default {500} */
  retryBaseMs?: number;
  /**
   * The longest wait before a retry, in milliseconds; a `Retry-After` longer than this is
   * not waited for (the error is thrown with the wait). @default {30000}
   */
  retryMaxMs?: number;
  /** Called before each retry, with the error and the wait in milliseconds. */
  onRetry?: (error: ProviderError, waitMs: number) => void;
}

/** A remote OpenAI-compatible provider. */
export class RemoteBackend implements Backend {
  /** Always "remote": text sent here leaves the machine. */
  readonly kind = "remote" as const;
  /** The provider's name. */
  readonly provider: string;
  readonly #options: RemoteBackendOptions;
  readonly #limiter: Limiter;

  /** @throws {RangeError} for a concurrency outside 1..32. */
  constructor(options: RemoteBackendOptions) {
    this.provider = options.name;
    this.#options = options;
    this.#limiter = new Limiter(options.concurrency ?? 5);
  }

  /** Requests open to the provider now. */
  get active(): number {
    return this.#limiter.active;
  }

  /**
   * The provider's model ids from `GET /models`; an empty list when it has no such route
   * (then typed model ids are accepted).
   *
   * @throws {ProviderError} subclasses for refused keys, rate limits and upstream failures.
   */
  async models(signal?: AbortSignal): Promise<string[]> {
    const release = await this.#limiter.acquire(signal);
    try {
      const ids: string[] = [];
      for await (
        const model of this.#client().models.list({ signal, timeout: this.#firstByteMs })
      ) {
        ids.push(model.id);
      }
      return ids.sort();
    } catch (error) {
      if (error instanceof OpenAI.NotFoundError) return [];
      throw this.#mapError(error, "", undefined);
    } finally {
      release();
    }
  }

  /** Streams a chat completion; see the module notes for retries and timeouts. */
  complete(request: CompletionRequest): Completion {
    return completionOf(() => this.#stream(request));
  }

  get #firstByteMs(): number {
    return this.#options.firstByteTimeoutMs ?? 60_000;
  }

  #client(): OpenAI {
    return new OpenAI({
      baseURL: this.#options.baseUrl,
      apiKey: this.#options.apiKey() || NO_KEY,
      // Nothing from OPENAI_* variables: each provider has its own settings.
      organization: null,
      project: null,
      adminAPIKey: null,
      maxRetries: 0,
      timeout: this.#firstByteMs,
    });
  }

  async *#stream(request: CompletionRequest): AsyncGenerator<{ text: string }, CompletionResult> {
    const { signal } = request;
    const abortResult = (): CompletionResult => ({
      text: "",
      finishReason: "abort",
      metrics: {},
      retries: 0,
    });
    if (signal?.aborted) return abortResult();
    let release: () => void;
    try {
      release = await this.#limiter.acquire(signal);
    } catch (error) {
      if (signal?.aborted) return abortResult();
      throw error;
    }
    const maxRetries = this.#options.maxRetries ?? 4;
    let text = "";
    try {
      for (let attempt = 0;; attempt++) {
        const started = performance.now();
        const controller = new AbortController();
        const onAbort = () => controller.abort(signal!.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        const watchdog = new Watchdog(controller, this.provider);
        watchdog.arm(this.#firstByteMs, "first byte");
        let firstAt: number | undefined;
        let finish: string | null = null;
        let usage: OpenAI.CompletionUsage | undefined;
        try {
          signal?.throwIfAborted();
          const stream = await this.#client().chat.completions.create(
            body(request),
            { signal: controller.signal },
          );
          for await (const chunk of stream) {
            watchdog.arm(this.#options.idleTimeoutMs ?? 60_000, "idle");
            if (chunk.usage) usage = chunk.usage;
            const choice = chunk.choices?.[0];
            if (choice?.finish_reason) finish = choice.finish_reason;
            const piece = choice?.delta?.content;
            if (!piece) continue;
            firstAt ??= performance.now();
            text += piece;
            yield { text: piece };
          }
          // An abort by the watchdog may end the SDK's iteration quietly.
          if (watchdog.fired) throw this.#mapError(undefined, request.model, watchdog.fired);
          if (finish === null) {
            throw new ProviderUpstreamError(
              this.provider,
              0,
              `Provider "${this.provider}" ended the stream before the reply finished: try again`,
            );
          }
          return {
            text,
            finishReason: finish === "length" ? "length" : "stop",
            metrics: metrics(usage, started, firstAt),
            retries: attempt,
          };
        } catch (error) {
          if (signal?.aborted) {
            return {
              text,
              finishReason: "abort",
              metrics: metrics(usage, started, firstAt),
              retries: attempt,
            };
          }
          const mapped = this.#mapError(error, request.model, watchdog.fired);
          const wait = retryable(mapped) && text === "" && attempt < maxRetries
            ? this.#retryWait(mapped, attempt)
            : undefined;
          if (wait === undefined) throw mapped;
          this.#options.onRetry?.(mapped, wait);
          await sleep(wait, signal);
        } finally {
          watchdog.clear();
          signal?.removeEventListener("abort", onAbort);
        }
      }
    } finally {
      release();
    }
  }

  /** The wait before retry `attempt + 1`, or undefined when the provider asks for longer than allowed. */
  #retryWait(error: ProviderError, attempt: number): number | undefined {
    const maxMs = this.#options.retryMaxMs ?? 30_000;
    if (error instanceof ProviderRateLimitError && error.retryAfterMs !== undefined) {
      return error.retryAfterMs <= maxMs ? error.retryAfterMs : undefined;
    }
    return retryDelayMs(attempt, this.#options.retryBaseMs ?? 500, maxMs);
  }

  /** Turns what the SDK or the stream threw into a provider error, the key redacted. */
  #mapError(error: unknown, model: string, timedOut: string | undefined): ProviderError {
    if (error instanceof ProviderError) return error;
    const name = this.provider;
    const key = this.#options.apiKey();
    const detail = redactKey(error instanceof Error ? error.message : String(error), key);
    if (timedOut) {
      return new ProviderUpstreamError(
        name,
        0,
        `Provider "${name}" sent nothing for ${timedOut}: check that it is up, or raise its timeout`,
      );
    }
    if (error instanceof OpenAI.APIError && error.status !== undefined) {
      const status = error.status;
      if (status === 401 || status === 403) return new ProviderAuthError(name, status, detail);
      if (status === 404) return new ProviderModelNotFoundError(name, model, detail);
      if (status === 429) {
        return new ProviderRateLimitError(name, retryAfterMs(error.headers), detail);
      }
      return new ProviderUpstreamError(
        name,
        status,
        `Provider "${name}" failed (HTTP ${status}): ${detail}`,
      );
    }
    return new ProviderUpstreamError(
      name,
      0,
      `Cannot reach provider "${name}" at ${this.#options.baseUrl}: ${detail}`,
    );
  }
}

/** Whether a failed attempt may be repeated: rate limits, 5xx, connection errors and timeouts. */
function retryable(error: ProviderError): boolean {
  if (error instanceof ProviderRateLimitError) return true;
  return error instanceof ProviderUpstreamError && (error.status === 0 || error.status >= 500);
}

/**
 * A user turn with images as OpenAI content parts: the text, then each image as a
 * `data:` URL `image_url` part (its type sniffed from its first bytes).
 */
function withImageParts(content: string, images: readonly Uint8Array[]) {
  const type = (b: Uint8Array) =>
    b[0] === 0xff && b[1] === 0xd8
      ? "image/jpeg"
      : b[0] === 0x47 && b[1] === 0x49
      ? "image/gif"
      : b[0] === 0x42 && b[1] === 0x4d
      ? "image/bmp"
      : "image/png";
  const base64 = (b: Uint8Array) => {
    let binary = "";
    for (let i = 0; i < b.length; i += 0x8000) {
      binary += String.fromCharCode(...b.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  };
  return [
    { type: "text", text: content.replaceAll(MEDIA_MARKER, "") },
    ...images.map((image) => ({
      type: "image_url",
      image_url: { url: `data:${type(image)};base64,${base64(image)}` },
    })),
  ];
}

/** The request body in OpenAI's spelling. */
function body(request: CompletionRequest): OpenAI.ChatCompletionCreateParamsStreaming {
  const s = request.sampling ?? {};
  return {
    model: request.model,
    messages: request.messages.map((m) => ({
      role: m.role,
      content: m.images?.length ? withImageParts(m.content, m.images) : m.content,
    })) as OpenAI.ChatCompletionMessageParam[],
    stream: true,
    stream_options: { include_usage: true },
    ...(s.temperature === undefined ? {} : { temperature: s.temperature }),
    ...(s.topP === undefined ? {} : { top_p: s.topP }),
    ...(s.maxTokens === undefined || s.maxTokens < 0 ? {} : { max_tokens: s.maxTokens }),
    ...(s.seed === undefined ? {} : { seed: s.seed }),
    ...(s.stop === undefined ? {} : { stop: s.stop }),
    ...(request.responseFormat
      ? { response_format: request.responseFormat as OpenAI.ResponseFormatJSONSchema }
      : {}),
  };
}

function metrics(usage: OpenAI.CompletionUsage | undefined, started: number, firstAt?: number) {
  const now = performance.now();
  const completion = usage?.completion_tokens;
  return {
    ...(usage ? { promptTokens: usage.prompt_tokens } : {}),
    ...(usage?.prompt_tokens_details?.cached_tokens === undefined
      ? {}
      : { cachedTokens: usage.prompt_tokens_details.cached_tokens }),
    ...(completion === undefined ? {} : { completionTokens: completion }),
    ...(firstAt === undefined ? {} : { ttftMs: firstAt - started }),
    ...(completion !== undefined && firstAt !== undefined && now > firstAt && completion > 1
      ? { genTokPerSec: ((completion - 1) * 1000) / (now - firstAt) }
      : {}),
  };
}

/** Aborts a request when a deadline passes; re-armed at every chunk. */
class Watchdog {
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** What timed out ("first byte", "idle"), once it has. */
  fired: string | undefined;

  constructor(readonly controller: AbortController, readonly provider: string) {}

  arm(ms: number, what: string): void {
    this.clear();
    this.#timer = setTimeout(() => {
      this.fired = `${ms} ms (${what} timeout)`;
      this.controller.abort(new DOMException(`Timed out after ${ms} ms`, "TimeoutError"));
    }, ms);
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}

/** Waits `ms`, or rejects with `signal.reason` when it aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
