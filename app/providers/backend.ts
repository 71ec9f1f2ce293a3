/**
 * The one Backend interface: chat replies, the command line and the OpenAI server ask
 * for "a completion on backend X, model Y" and get text pieces as they come, then a
 * result. The local engine (the model host's context) and remote OpenAI-compatible
 * providers ({@link RemoteBackend} in remote_backend.ts) implement it.
 *
 * @module
 */
import type { ChatMessage } from "../../engine/chat_template.ts";

/** Sampling a backend is asked to use; OpenAI names in camelCase, absent = the backend's default. */
export interface CompletionSampling {
  /** 0 = greedy. */
  temperature?: number;
  /** Nucleus mass, 0..1. */
  topP?: number;
  /** Tokens to generate at most; -1 or absent = no limit. */
  maxTokens?: number;
  /** Seed for reproducible sampling, where the backend supports it. */
  seed?: number;
  /** Text that ends the completion. */
  stop?: string | string[];
}

/**
 * Structured output: OpenAI's `response_format` of type "json_schema". A remote provider
 * gets it as is; the local engine turns the schema into a grammar
 * (engine/json_schema_grammar.ts).
 */
export interface CompletionResponseFormat {
  type: "json_schema";
  json_schema: {
    /** A name for the schema (OpenAI: a-z, A-Z, 0-9, `_` and `-`, at most 64). */
    name: string;
    /** The JSON schema the reply must match. */
    schema: unknown;
    /** Whether the provider must follow the schema exactly. */
    strict?: boolean;
  };
}

/** One completion asked of a backend. */
export interface CompletionRequest {
  /** The model id on that backend (a file path for the local one). */
  model: string;
  /** The conversation, oldest first. */
  messages: ChatMessage[];
  /** Sampling; absent fields take the backend's defaults. */
  sampling?: CompletionSampling;
  /** Structured output; absent = free text. */
  responseFormat?: CompletionResponseFormat;
  /** Stops the completion: it ends with finish_reason "abort" and the text so far. */
  signal?: AbortSignal;
}

/** Token counts and speeds of one completion; what the backend did not report is absent. */
export interface CompletionMetrics {
  /** Prompt tokens, as the backend counted them. */
  promptTokens?: number;
  /** Prompt tokens served from a cache. */
  cachedTokens?: number;
  /** Generated tokens. */
  completionTokens?: number;
  /** From sending the request to the first text, in milliseconds (network included). */
  ttftMs?: number;
  /** Generated tokens per second after the first, as seen by Hearth. */
  genTokPerSec?: number;
}

/** How a completion ended. */
export interface CompletionResult {
  /** The whole text. */
  text: string;
  /** OpenAI's spelling: "stop", "length", or "abort" when the signal stopped it. */
  finishReason: "stop" | "length" | "abort";
  /** Counts and speeds. */
  metrics: CompletionMetrics;
  /** Attempts that failed and were retried before this one succeeded. */
  retries: number;
}

/**
 * A completion in progress: iterate it for text pieces; `result` settles when it ends.
 * Errors reject both the iteration and `result`.
 */
export interface Completion extends AsyncIterable<{ text: string }> {
  /** The result; it settles once the iteration has ended. */
  readonly result: Promise<CompletionResult>;
}

/** Where a completion runs: the local engine or a remote provider. */
export interface Backend {
  /** "local" for this machine's engine; "remote" when the text leaves the machine. */
  readonly kind: "local" | "remote";
  /** The provider's name; null for the local engine. */
  readonly provider: string | null;
  /** Starts a completion; it runs as it is iterated. */
  complete(request: CompletionRequest): Completion;
  /** The model ids the backend offers. */
  models(signal?: AbortSignal): Promise<string[]>;
}

/**
 * Wraps an async generator that returns its result as a {@link Completion}: pieces come
 * from iterating it, `result` from its return value.
 */
export function completionOf(
  run: () => AsyncGenerator<{ text: string }, CompletionResult>,
): Completion {
  let settle!: { resolve: (r: CompletionResult) => void; reject: (e: unknown) => void };
  const result = new Promise<CompletionResult>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Nobody may await `result` (an iteration that threw is reported there already).
  result.catch(() => {});
  return {
    result,
    async *[Symbol.asyncIterator]() {
      let settled = false;
      try {
        // yield* forwards an early `break` to the generator, so its finally blocks run.
        const value = yield* run();
        settle.resolve(value);
        settled = true;
      } catch (error) {
        settle.reject(error);
        settled = true;
        throw error;
      } finally {
        if (!settled) {
          settle.reject(new DOMException("The completion was not read to its end", "AbortError"));
        }
      }
    },
  };
}
