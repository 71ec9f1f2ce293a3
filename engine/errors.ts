/**
 * Errors that callers of the engine catch. Wrong shapes are `TypeError`, values out
 * of range are `RangeError` and unparseable text is `SyntaxError`, as in Deno std;
 * the classes here exist for conditions a caller handles on purpose.
 *
 * This module holds the errors of any engine object (disposed, failed operation) and
 * re-exports the rest: load_errors.ts (files that do not load), request_errors.ts (one
 * request's failures) and rpc_errors.ts (RPC workers).
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

// The other error classes live beside this module by what fails; importers keep this path.
export {
  DraftModelError,
  GgufError,
  LoraAdapterError,
  MmprojError,
  ModelCrashError,
  ModelLoadError,
  ModelNotFoundError,
} from "./load_errors.ts";
export {
  ContextOverflowError,
  GrammarError,
  ImageInputError,
  QueueFullError,
} from "./request_errors.ts";
export { RpcWorkerError, type RpcWorkerFailure } from "./rpc_errors.ts";
