/**
 * Hearth's scripting API: load a GGUF model through libllama and generate text,
 * from the Deno REPL (`deno task repl`) or any Deno program.
 *
 * llama.cpp runs in one engine Worker with blocking FFI calls and a persistent
 * threadpool; the calling thread's event loop never waits on a decode. Objects come
 * from their parent (`loadModel` → `model.createContext` → `ctx.generate`) and own one
 * native handle each: dispose them (`using`) and a parent disposes its children.
 *
 * @example
 * ```ts
 * import { loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * using ctx = await model.createContext({ nCtx: 256 });
 * for await (const piece of ctx.generate("Once upon a time", { temperature: 0, maxTokens: 8 })) {
 *   await Deno.stdout.write(new TextEncoder().encode(piece.text));
 * }
 * ```
 *
 * @module
 */
export { loadModel, Model } from "./engine/model.ts";
export type { DetokenizeOptions, LoadModelOptions, TokenizeOptions } from "./engine/model.ts";
export { Context } from "./engine/context.ts";
export type { ContextOwner } from "./engine/context.ts";
export { KV_CACHE_TYPES } from "./engine/context_options.ts";
export type { ContextOptions, KvCacheType } from "./engine/context_options.ts";
export { Generation } from "./engine/generation.ts";
export type { ChatOptions, GenerateOptions } from "./engine/generate_options.ts";
export { Sampler } from "./engine/sampler.ts";
export { createServingContext, ServingContext } from "./engine/serving.ts";
export type { ServeCallOptions, ServeListeners, ServingOptions } from "./engine/serving.ts";
export { LLAMA_DEFAULT_SEED } from "./engine/sampling.ts";
export type { LogitBias, ResolvedSampling, SamplingOptions } from "./engine/sampling.ts";
export { Engine } from "./engine/engine.ts";
export type { EngineOptions } from "./engine/engine.ts";
export { LIB_VARIANTS } from "./ffi/lib_dir.ts";
export type { LibVariant } from "./ffi/lib_dir.ts";
export {
  ChatTemplateError,
  DEFAULT_CHAT_TEMPLATE,
  MEDIA_MARKER,
  renderChatTemplate,
} from "./engine/chat_template.ts";
export type { ChatMessage, ChatRole, RenderOptions } from "./engine/chat_template.ts";
export { checkGgufFile } from "./engine/gguf_check.ts";
export { LoraAdapter } from "./engine/lora.ts";
export type { LoraEntry, LoraOwner } from "./engine/lora.ts";
export { DEFAULT_DRAFT_MAX, DEFAULT_DRAFT_MIN, DEFAULT_DRAFT_P_MIN } from "./engine/speculative.ts";
export type { DraftOptions, DraftOwner } from "./engine/speculative.ts";
export { checkLoraFile, effectiveLoraScale } from "./engine/lora_check.ts";
export type { LoraAdapterInfo } from "./engine/lora_check.ts";
export { checkMmprojFile, Mmproj } from "./engine/mmproj.ts";
export type { MediaTokenization, MmprojInfo, MmprojOwner } from "./engine/mmproj.ts";
export { checkGrammar } from "./engine/grammar_check.ts";
export type { GgufFileInfo, GgufTensor } from "./engine/gguf_check.ts";
export { estimateMemory, planMemory, TIGHT_SHARE } from "./engine/memory_fit.ts";
export type {
  DeviceMemory,
  FitMethod,
  FitVerdict,
  MemoryFit,
  MemoryFitOptions,
} from "./engine/memory_fit.ts";
export type { MemoryProbe } from "./engine/worker/memory_probe.ts";
export { type FileStamp, type LoadVerdict, LoadVerdicts } from "./engine/load_verdicts.ts";
export {
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
  ModelCrashError,
  ModelLoadError,
  ModelNotFoundError,
  MtmdMissingError,
  QueueFullError,
  RpcWorkerError,
  type RpcWorkerFailure,
} from "./engine/errors.ts";
export type {
  BackendDevice,
  ContextInfo,
  EngineInfo,
  FinishReason,
  GenerationMetrics,
  GenerationResult,
  ModelInfo,
  Piece,
  Truncation,
} from "./engine/types.ts";
