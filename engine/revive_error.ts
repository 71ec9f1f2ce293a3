/**
 * Rebuilds an error the engine Worker sent as data into an instance of the class it
 * had, so callers can `instanceof` it on the main thread.
 *
 * @module
 */
import {
  ContextOverflowError,
  DisposedError,
  DraftModelError,
  EngineError,
  GgufError,
  GrammarError,
  ImageInputError,
  LibraryLoadError,
  LoraAdapterError,
  MmprojError,
  ModelLoadError,
  ModelNotFoundError,
  QueueFullError,
  RpcWorkerError,
} from "./errors.ts";
import { ChatTemplateError } from "./chat_template.ts";
import { MtmdMissingError } from "../ffi/errors.ts";
import type { SerializedError } from "./protocol.ts";

/** Returns an Error of the serialized class, with its message and fields. */
export function reviveError(data: SerializedError): Error {
  const f = data.fields as Record<string, never>;
  let error: Error;
  switch (data.name) {
    case "QueueFullError":
      error = new QueueFullError(f.queued, f.retryAfterSeconds);
      break;
    case "ContextOverflowError":
      error = new ContextOverflowError(f.nPromptTokens, f.nCtx);
      break;
    case "DisposedError":
      error = new DisposedError(f.resource);
      break;
    case "GgufError":
      error = new GgufError(f.path, "");
      break;
    case "DraftModelError":
      error = new DraftModelError(f.path, "");
      break;
    case "LoraAdapterError":
      error = new LoraAdapterError(f.path, "");
      break;
    case "ModelLoadError":
      error = new ModelLoadError(f.path, "");
      break;
    case "ModelNotFoundError":
      error = new ModelNotFoundError(f.path);
      break;
    case "MmprojError":
      error = new MmprojError(f.path, "");
      break;
    case "ImageInputError":
      error = new ImageInputError("");
      break;
    case "MtmdMissingError":
      error = new MtmdMissingError(f.dir);
      break;
    case "LibraryLoadError":
      error = new LibraryLoadError("");
      break;
    case "GrammarError":
      error = new GrammarError("");
      break;
    case "ChatTemplateError":
      error = new ChatTemplateError("");
      break;
    case "RpcWorkerError":
      error = new RpcWorkerError(f.endpoint, f.failure, "");
      break;
    case "RangeError":
      error = new RangeError();
      break;
    case "TypeError":
      error = new TypeError();
      break;
    case "SyntaxError":
      error = new SyntaxError();
      break;
    default:
      error = new EngineError("");
      if (data.name !== "EngineError") error.name = data.name;
  }
  error.message = data.message;
  return error;
}
