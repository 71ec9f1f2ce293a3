/**
 * Errors of loading files into the engine: a model path that names no file, a GGUF
 * that fails validation, a model llama.cpp refuses or that crashed it in the child-process
 * load, and LoRA adapters, draft models and mmprojs that do not fit their model.
 * Re-exported by errors.ts.
 *
 * @module
 */

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
