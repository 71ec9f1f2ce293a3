/**
 * Errors of one request to a loaded model: a grammar llama.cpp cannot take, a prompt
 * over the context, a full queue of a serving context, and images a prompt cannot
 * carry. Re-exported by errors.ts.
 *
 * @module
 */

/** Thrown for a grammar llama.cpp cannot take, or one over the size limits. */
export class GrammarError extends SyntaxError {
  /** Creates the error; the message is the reason, in llama.cpp's words where it has them. */
  constructor(message: string) {
    super(message);
    this.name = "GrammarError";
  }
}

/**
 * Thrown when a prompt needs more tokens than the context holds for one sequence.
 * Mirrors llama-server's `exceed_context_size` error, which carries the same counts.
 *
 * @example
 * ```ts
 * import { rejects } from "node:assert/strict";
 * import { ContextOverflowError, loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * using ctx = await model.createContext({ nCtx: 256 });
 * const generation = ctx.generate("Once upon a time ".repeat(100), { maxTokens: 8 });
 * await rejects(generation.result, ContextOverflowError); // nPromptTokens 402 > nCtx 256
 * ```
 */
export class ContextOverflowError extends RangeError {
  /** Tokens the prompt needs, including tokens already cached. */
  readonly nPromptTokens: number;
  /** Tokens one sequence of the context can hold. */
  readonly nCtx: number;

  /**
   * Creates the error.
   *
   * @param nPromptTokens Tokens the prompt needs.
   * @param nCtx Tokens one sequence holds.
   */
  constructor(nPromptTokens: number, nCtx: number, options?: ErrorOptions) {
    super(
      `Cannot fit prompt: ${nPromptTokens} tokens exceed n_ctx ${nCtx}; ` +
        `raise nCtx, shorten the prompt or use overflow: "truncate-oldest"`,
      options,
    );
    this.name = "ContextOverflowError";
    this.nPromptTokens = nPromptTokens;
    this.nCtx = nCtx;
  }
}

/**
 * Thrown when a request arrives while the scheduler's queue is full; the HTTP layer
 * answers 503 with Retry-After.
 *
 * @example
 * ```ts
 * import { QueueFullError } from "@hearth/hearth";
 *
 * const error = new QueueFullError(64, 1);
 * const headers = { "Retry-After": String(error.retryAfterSeconds) };
 * console.log(new Response(error.message, { status: 503, headers }).status); // 503
 * ```
 */
export class QueueFullError extends Error {
  /** Requests waiting when this one was refused. */
  readonly queued: number;
  /** A suggested wait before retrying, in seconds. */
  readonly retryAfterSeconds: number;

  /**
   * Creates the error.
   *
   * @param queued Requests already waiting.
   * @param retryAfterSeconds A suggested wait, in seconds.
   */
  constructor(queued: number, retryAfterSeconds: number, options?: ErrorOptions) {
    super(
      `Cannot take the request: ${queued} requests are already waiting; retry in ${retryAfterSeconds} s`,
      options,
    );
    this.name = "QueueFullError";
    this.queued = queued;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Thrown for an image a prompt cannot take: the model has no mmproj loaded, the bytes
 * are not an image libmtmd decodes (PNG, JPEG, BMP, GIF), or the prompt's media
 * markers and images differ in number. The HTTP layer answers 400.
 *
 * @example
 * ```ts
 * import { ImageInputError } from "@hearth/hearth";
 *
 * const error = new ImageInputError("the model has no mmproj: load one to send images");
 * console.log(error.message); // Cannot use the image: the model has no mmproj: ...
 * ```
 */
export class ImageInputError extends Error {
  /**
   * Creates the error.
   *
   * @param reason What is wrong with the image or the prompt.
   */
  constructor(reason: string, options?: ErrorOptions) {
    super(`Cannot use the image: ${reason}`, options);
    this.name = "ImageInputError";
  }
}
