/**
 * What generates one cell: a {@link CellGenerator} takes the cell's chat messages and
 * options and returns its text. {@link servingGenerator} runs on a serving context's
 * slots (the engine's continuous-batching scheduler: N rows decode together);
 * {@link backendGenerator} runs on a remote provider, retrying failed requests.
 *
 * @module
 */
import type { ChatMessage } from "../../engine/chat_template.ts";
import type { SamplingOptions } from "../../engine/sampling.ts";
import type { ServingContext } from "../../engine/serving.ts";
import type { Backend } from "../providers/backend.ts";
import { ProviderRateLimitError, ProviderUpstreamError } from "../providers/errors.ts";

/** One cell to generate. */
export interface CellRequest {
  messages: ChatMessage[];
  /** Most tokens to generate. */
  maxTokens: number;
  /** Sampling options, engine names (temperature, topK, ...). */
  sampling: SamplingOptions;
  /** GBNF grammar the output must match ("" = none): a column's JSON schema, for the engine. */
  grammar: string;
  /** The column's JSON schema itself (null = none), for remote providers' response_format. */
  jsonSchema: unknown;
  signal: AbortSignal;
}

/** A generated cell. */
export interface CellResult {
  text: string;
  /** Tokens generated. */
  tokens: number;
  /** Prompt tokens, and those of them the KV cache already held (not decoded again). */
  promptTokens: number;
  cachedTokens: number;
  /** The model, as stored with the cell. */
  model: string;
}

/** Generates cells; `parallel` is how many it runs well at once. */
export interface CellGenerator {
  /** The model name stored with each cell. */
  readonly model: string;
  /** Cells worth running at once (the slots, or the provider's concurrency limit). */
  readonly parallel: number;
  /**
   * Cells worth handing over beyond `parallel`, to wait in the generator's own queue:
   * a slot that frees then starts the next row at once, instead of idling while the
   * finished cell travels to the main thread and the next request back. Default 0.
   */
  readonly lookahead?: number;
  generate(request: CellRequest): Promise<CellResult>;
}

/** Rows a job keeps waiting in a serving context's queue at most (see `lookahead`). */
const SERVING_LOOKAHEAD = 4;

/**
 * Cells on a serving context: each is a chat request on one of its slots; more wait in
 * its queue.
 *
 * @param serving The context (its slots are the parallelism), or a function returning
 *   the current one (the app's, which a model switch replaces).
 * @param model The name stored with the cells (the model file's path).
 */
export function servingGenerator(
  serving: ServingContext | (() => ServingContext),
  model: string,
): CellGenerator {
  const current = typeof serving === "function" ? serving : () => serving;
  const slots = current().context.info.nSeqMax;
  return {
    model,
    parallel: slots,
    // A few rows waiting in the scheduler's queue keep every slot busy between cells; few,
    // so that chats sharing the context's queue (64 by default) still find room.
    lookahead: Math.min(slots, SERVING_LOOKAHEAD),
    async generate(request) {
      const generation = current().chat(request.messages, {
        ...request.sampling,
        ...(request.grammar ? { grammar: request.grammar } : {}),
        maxTokens: request.maxTokens,
        signal: request.signal,
      });
      const result = await generation.result;
      return {
        text: result.text,
        tokens: result.metrics.generatedTokens,
        promptTokens: result.metrics.promptTokens,
        cachedTokens: result.metrics.cachedTokens,
        model,
      };
    },
  };
}

/** Attempts per remote cell before it is an error (1 + retries after a failed reply). */
const REMOTE_ATTEMPTS = 3;
/** Cells in flight on one provider unless its settings say otherwise: AI Sheets sends 5. */
export const REMOTE_CONCURRENCY = 5;

/**
 * Whether a failed remote cell is worth another attempt: a reply cut off mid-stream or a
 * 5xx the backend gave up on (ProviderUpstreamError), or a JSON-schema reply that is not
 * JSON. Refused keys, unknown models and bad requests fail at once.
 */
function retryable(error: unknown): boolean {
  return error instanceof ProviderUpstreamError || error instanceof ProviderRateLimitError ||
    error instanceof SyntaxError;
}

/**
 * Cells on a remote provider's backend, at most `concurrency` at once (the provider's
 * own limit: the RemoteBackend holds no more requests open than that either). The
 * backend retries 429, 5xx and connection failures before the reply starts (with
 * backoff and `Retry-After`); a cell whose reply failed after that, or whose JSON-schema
 * reply does not parse, is tried again (at most {@link REMOTE_ATTEMPTS} in all, 0.5 s
 * then 1 s apart) before it counts as failed. A JSON-schema column sends its schema as
 * OpenAI's `response_format` (`json_schema`, strict).
 *
 * @param concurrency Cells at once, the provider's concurrency setting; default 5.
 */
export function backendGenerator(
  backend: Backend,
  model: string,
  concurrency = REMOTE_CONCURRENCY,
): CellGenerator {
  return {
    model: `${backend.provider}:${model}`,
    parallel: concurrency,
    async generate(request) {
      const s = request.sampling;
      let lastError: unknown;
      for (let attempt = 0; attempt < REMOTE_ATTEMPTS; attempt++) {
        if (request.signal.aborted) break;
        try {
          const completion = backend.complete({
            model,
            messages: request.messages,
            sampling: {
              maxTokens: request.maxTokens,
              ...(s.temperature === undefined ? {} : { temperature: s.temperature }),
              ...(s.topP === undefined ? {} : { topP: s.topP }),
              ...(s.seed === undefined ? {} : { seed: s.seed }),
            },
            ...(request.jsonSchema == null ? {} : {
              responseFormat: {
                type: "json_schema" as const,
                json_schema: { name: "cell", schema: request.jsonSchema, strict: true },
              },
            }),
            signal: request.signal,
          });
          for await (const _ of completion) { /* the text comes whole in the result */ }
          const result = await completion.result;
          if (request.jsonSchema != null && result.finishReason !== "abort") {
            JSON.parse(result.text); // a provider that ignored the schema: SyntaxError, retried
          }
          return {
            text: result.text,
            tokens: result.metrics.completionTokens ?? 0,
            promptTokens: result.metrics.promptTokens ?? 0,
            cachedTokens: result.metrics.cachedTokens ?? 0,
            model: `${backend.provider}:${model}`,
          };
        } catch (error) {
          lastError = error;
          if (request.signal.aborted || !retryable(error)) break;
          if (attempt + 1 < REMOTE_ATTEMPTS) {
            await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
          }
        }
      }
      throw lastError ?? new DOMException("Aborted", "AbortError");
    },
  };
}
