/**
 * Errors that callers of the engine catch. Wrong shapes are `TypeError`, values out
 * of range are `RangeError` and unparseable text is `SyntaxError`, as in Deno std;
 * the classes here exist for conditions a caller handles on purpose.
 *
 * @module
 */

/**
 * Thrown when a Model, Context or Sampler is used after `dispose()`.
 *
 * @example
 * ```ts
 * import { rejects } from "node:assert/strict";
 * import { DisposedError, loadModel } from "@hearth/hearth";
 *
 * const model = await loadModel("models/stories260K.gguf", { vocabOnly: true });
 * model.dispose();
 * await rejects(model.tokenize("Hi"), DisposedError);
 * ```
 */
export class DisposedError extends Error {
  /** Which kind of object was used: "Model", "Context", "Sampler" or "Engine". */
  readonly resource: string;

  /**
   * Creates the error.
   *
   * @param resource The kind of object used after dispose.
   */
  constructor(resource: string, options?: ErrorOptions) {
    super(`Cannot use ${resource}: it has been disposed`, options);
    this.name = "DisposedError";
    this.resource = resource;
  }
}

/**
 * Thrown when a model path does not name a readable file.
 *
 * @example
 * ```ts
 * import { rejects } from "node:assert/strict";
 * import { loadModel, ModelNotFoundError } from "@hearth/hearth";
 *
 * await rejects(loadModel("models/missing.gguf"), ModelNotFoundError);
 * ```
 */
export class ModelNotFoundError extends Error {
  /** The path as given by the caller. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param path The path that names no file.
   */
  constructor(path: string, options?: ErrorOptions) {
    super(`Cannot load model "${path}": no such file`, options);
    this.name = "ModelNotFoundError";
    this.path = path;
  }
}

/**
 * Thrown when a file is not a GGUF model llama.cpp can safely read: bad magic or
 * version, absurd counts, a header or tensor data past the end of the file. The file
 * is never handed to llama.cpp.
 *
 * @example
 * ```ts
 * import { rejects } from "node:assert/strict";
 * import { GgufError, loadModel } from "@hearth/hearth";
 *
 * const path = await Deno.makeTempFile({ suffix: ".gguf" });
 * await Deno.writeTextFile(path, "not a model");
 * await rejects(loadModel(path), GgufError);
 * await Deno.remove(path);
 * ```
 */
export class GgufError extends SyntaxError {
  /** The file that failed validation. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param reason What is wrong with the file.
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Invalid GGUF file "${path}": ${reason}`, options);
    this.name = "GgufError";
    this.path = path;
  }
}

/** Thrown for a grammar llama.cpp cannot take, or one over the size limits. */
export class GrammarError extends SyntaxError {
  /** Creates the error; the message is the reason, in llama.cpp's words where it has them. */
  constructor(message: string) {
    super(message);
    this.name = "GrammarError";
  }
}

/**
 * Thrown when llama.cpp refuses to load a model that passed the GGUF checks (such as
 * a tokenizer-only file loaded without `vocabOnly`); the message carries llama.cpp's
 * logged reason.
 *
 * @example
 * ```ts
 * import { loadModel, ModelLoadError } from "@hearth/hearth";
 *
 * try {
 *   using model = await loadModel("models/stories260K.gguf");
 *   console.log(model.info.architecture);
 * } catch (error) {
 *   if (!(error instanceof ModelLoadError)) throw error;
 *   console.error(`llama.cpp cannot load ${error.path}: ${error.message}`);
 * }
 * ```
 */
export class ModelLoadError extends Error {
  /** The file llama.cpp refused. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param reason llama.cpp's logged reason.
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot load model "${path}": ${reason}`, options);
    this.name = "ModelLoadError";
    this.path = path;
  }
}

/**
 * Thrown when a file cannot be a LoRA adapter of the model it is loaded onto: not a
 * GGUF adapter (`general.type` is not "adapter"), another architecture, tensors the
 * model lacks or of another shape; or when llama.cpp refuses it (its reason is in the
 * message). Checked before llama.cpp sees the file.
 *
 * @example
 * ```ts
 * import { rejects } from "node:assert/strict";
 * import { loadModel, LoraAdapterError } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * await rejects(model.loadLora("models/stories260K.gguf"), LoraAdapterError); // a model
 * ```
 */
export class LoraAdapterError extends Error {
  /** The adapter file. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param reason Why the file is refused.
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot load LoRA adapter "${path}": ${reason}`, options);
    this.name = "LoraAdapterError";
    this.path = path;
  }
}

/**
 * Thrown when a model cannot draft for another: its vocabulary differs from the
 * target's in type, BOS or EOS, size (by more than 128 tokens) or the text of a token
 * (llama.cpp's `common_speculative_are_compatible`, common/speculative.cpp); or it is
 * loaded vocab-only.
 *
 * @example
 * ```ts
 * import { rejects } from "node:assert/strict";
 * import { DraftModelError, loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * // A tokenizer without weights cannot draft.
 * using vocab = await loadModel("models/stories260K.gguf", { engine: model.engine, vocabOnly: true });
 * await rejects(model.createContext({ nCtx: 256, draft: { model: vocab } }), DraftModelError);
 * ```
 */
export class DraftModelError extends Error {
  /** The draft model file. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param reason Why the model cannot draft, e.g. "its vocabulary type is BPE, the target's SPM".
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot use "${path}" as the draft model: ${reason}`, options);
    this.name = "DraftModelError";
    this.path = path;
  }
}

/**
 * Thrown when loading a model killed the child process that tried it first
 * (engine/load_probe.ts): llama.cpp aborted on the file (a `GGML_ASSERT`) or crashed.
 * The file is never loaded in the app's process; the verdict is kept until the file
 * changes.
 *
 * @example
 * ```ts ignore
 * import { loadModel, ModelCrashError } from "@hearth/hearth";
 *
 * try {
 *   await loadModel("crafted.gguf");
 * } catch (error) {
 *   if (error instanceof ModelCrashError) console.log(error.signal, error.lastLogLines);
 * }
 * ```
 */
export class ModelCrashError extends ModelLoadError {
  /** The signal that ended the child ("SIGABRT", "SIGSEGV"), or null when it exited. */
  readonly signal: string | null;
  /** The child's exit code when no signal ended it, else null. */
  readonly exitCode: number | null;
  /** llama.cpp's last log lines (and ggml's assert message) before the crash. */
  readonly lastLogLines: string[];
  /** The reason as given, without the "Cannot load model" prefix. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param reason What killed the child, with the last log line.
   */
  constructor(
    path: string,
    reason: string,
    crash: { signal: string | null; exitCode: number | null; lastLogLines: string[] },
    options?: ErrorOptions,
  ) {
    super(path, reason, options);
    this.name = "ModelCrashError";
    this.reason = reason;
    this.signal = crash.signal;
    this.exitCode = crash.exitCode;
    this.lastLogLines = crash.lastLogLines;
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

export { LibraryLoadError, MtmdMissingError } from "../ffi/errors.ts";

/**
 * Thrown when llama.cpp fails an operation on a live context (decode, template, grammar).
 *
 * @example
 * ```ts
 * import { rejects } from "node:assert/strict";
 * import { EngineError, loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf", { vocabOnly: true });
 * await rejects(model.createContext(), EngineError); // a tokenizer has no context
 * ```
 */
export class EngineError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed, with llama.cpp's reason where it gave one.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EngineError";
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

/** What went wrong with an RPC worker (`ggml-rpc-server`), see {@link RpcWorkerError}. */
export type RpcWorkerFailure = "unreachable" | "incompatible" | "lost" | "unsupported";

/**
 * Thrown when a model split across llama.cpp RPC workers (`--rpc HOST:PORT`) cannot use
 * one: `"unreachable"` (no connection or no protocol hello within the timeout, found
 * before anything is loaded), `"incompatible"` (another RPC protocol version),
 * `"lost"` (the worker went away during a load or a generation; the engine process that
 * used it ended, this one lives on), `"unsupported"` (no `libggml-rpc` library: build it
 * with `native/build.sh rpc`).
 *
 * @example
 * ```ts
 * import { RpcWorkerError } from "@hearth/hearth";
 *
 * const error = new RpcWorkerError("127.0.0.1:50052", "lost", "RPC worker 127.0.0.1:50052 went away");
 * console.log(error.endpoint, error.failure); // 127.0.0.1:50052 lost
 * ```
 */
export class RpcWorkerError extends Error {
  /** The worker as given to `--rpc`, "HOST:PORT"; "" when no one worker is at fault. */
  readonly endpoint: string;
  /** What went wrong. */
  readonly failure: RpcWorkerFailure;

  /**
   * Creates the error.
   *
   * @param endpoint The worker, "HOST:PORT", or "".
   * @param failure What went wrong.
   * @param message The whole message, naming the worker and what to do.
   */
  constructor(
    endpoint: string,
    failure: RpcWorkerFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "RpcWorkerError";
    this.endpoint = endpoint;
    this.failure = failure;
  }
}

/**
 * Thrown when an mmproj (a vision projector GGUF) cannot be used with a model: not an
 * mmproj, made for another model (its projection width differs from the model's
 * n_embd), or refused by libmtmd (with its reason).
 *
 * @example
 * ```ts ignore
 * import { rejects } from "node:assert/strict";
 * import { loadModel, MmprojError } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * await rejects(model.loadMmproj("models/stories260K.gguf"), MmprojError); // a model
 * ```
 */
export class MmprojError extends Error {
  /** The mmproj file. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param reason Why the file is refused.
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot load mmproj "${path}": ${reason}`, options);
    this.name = "MmprojError";
    this.path = path;
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
