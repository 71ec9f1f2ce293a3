/**
 * Plain data types shared by the engine's public API and its Worker: model and
 * context facts, generation pieces, results and metrics, tokenizer options. Everything
 * here survives structured cloning.
 *
 * @module
 */

/** What a loaded model is, read from llama.cpp after the load. */
export interface ModelInfo {
  /** The file the model was loaded from. */
  path: string;
  /** llama.cpp's one-line description (`llama_model_desc`), e.g. "llama 135M Q4_K - Medium". */
  description: string;
  /** `general.architecture`, e.g. "llama". */
  architecture: string;
  /** `general.name`, when the file has one. */
  name: string | undefined;
  /** Number of parameters (`llama_model_n_params`). */
  nParams: number;
  /** Size of all weights in bytes (`llama_model_size`). */
  sizeBytes: number;
  /** Context length the model was trained with (`llama_model_n_ctx_train`), in tokens. */
  nCtxTrain: number;
  /** Embedding width (`llama_model_n_embd`). */
  nEmbd: number;
  /** Number of layers (`llama_model_n_layer`). */
  nLayer: number;
  /** Vocabulary size in tokens. */
  nVocab: number;
  /** The GGUF's `tokenizer.chat_template` (Jinja), if it has one. */
  chatTemplate: string | undefined;
  /** Beginning-of-sequence token id, -1 if none. */
  bos: number;
  /** End-of-sequence token id, -1 if none. */
  eos: number;
  /** End-of-turn token id, -1 if none. */
  eot: number;
  /** Whether tokenizing with `addSpecial` prepends BOS. */
  addBos: boolean;
  /** Loaded with `vocabOnly`: tokenizer only, no weights, no contexts. */
  vocabOnly: boolean;
  /** Layers requested on GPU devices (`nGpuLayers`); -1 = all. */
  nGpuLayers: number;
  /**
   * Layers llama.cpp actually offloaded to GPU devices, output layer included (its
   * "offloaded N/M layers to GPU" report); 0 on CPU-only machines.
   */
  nLayersOffloaded: number;
}

/** What a created context is; llama.cpp may round the requested sizes. */
export interface ContextInfo {
  /** Total KV cache size in tokens over all sequences (`llama_n_ctx`, a multiple of 256). */
  nCtx: number;
  /** Tokens one sequence can hold (`llama_n_ctx_seq`). */
  nCtxSeq: number;
  /** Max tokens per `llama_decode` call. */
  nBatch: number;
  /** Max tokens per compute step. */
  nUbatch: number;
  /** Number of sequences (seq_id 0 .. nSeqMax-1). */
  nSeqMax: number;
  /** Threads of the context's CPU threadpool. */
  nThreads: number;
  /**
   * Bytes of KV cache llama.cpp allocated for this context, from its own report
   * (given in MiB with two decimals, so within 5 KiB).
   */
  kvCacheBytes: number;
  /** Bytes of compute buffers llama.cpp reserved for this context, over all devices (same precision). */
  computeBytes: number;
}

/** One generated token and the text it makes safe to show. */
export interface Piece {
  /** The token id. */
  token: number;
  /**
   * Text completed by this token: "" while a multi-byte character or a possible stop
   * string is still incomplete; held-back text arrives with a later piece.
   */
  text: string;
}

/** Why a generation ended (OpenAI's `finish_reason`, plus "abort"). */
export type FinishReason = "stop" | "length" | "abort";

/** Counts and timings of one generation call. */
export interface GenerationMetrics {
  /** Tokens in the prompt, cached or not. */
  promptTokens: number;
  /**
   * Prompt tokens reused from the KV cache, not decoded again: held by the sequence, or
   * (serving contexts) copied from another slot's sequence that held or had just decoded
   * the same prefix. OpenAI's `usage.prompt_tokens_details.cached_tokens`.
   */
  cachedTokens: number;
  /** Prompt tokens decoded by this call (`promptTokens - cachedTokens`). */
  promptEvalTokens: number;
  /** Tokens generated (sampled), including a final end-of-generation token. */
  generatedTokens: number;
  /** Milliseconds from the call reaching the engine to the first sampled token. */
  ttftMs: number;
  /** Milliseconds spent decoding the prompt. */
  promptMs: number;
  /** Milliseconds from the first sampled token to the end. */
  genMs: number;
  /** Prompt tokens decoded per second (promptEvalTokens / promptMs). */
  promptTokPerSec: number;
  /** Generated tokens per second after the first ((generatedTokens - 1) / genMs). */
  genTokPerSec: number;
  /**
   * Tokens the draft model proposed and the target verified (llama-server's
   * `timings.draft_n`); present only when a draft ran.
   */
  draftTokens?: number;
  /** Drafted tokens the target accepted (llama-server's `draft_n_accepted`); with draftTokens. */
  draftAcceptedTokens?: number;
  /** draftAcceptedTokens / draftTokens, in [0, 1] (0 when nothing was drafted); with draftTokens. */
  draftAcceptanceRate?: number;
}

/** How a generation ended. */
export interface GenerationResult {
  /** "stop" (EOG token or stop string), "length" (maxTokens or a full context) or "abort". */
  finishReason: FinishReason;
  /** The stop string that ended it, when one did. */
  stop?: string;
  /** All emitted text (without a matched stop string). */
  text: string;
  /** Token counts and timings. */
  metrics: GenerationMetrics;
  /**
   * Messages dropped by `overflow: "truncate-oldest"` to fit n_ctx (chat only); the
   * same as `truncation.messages`, or 0.
   */
  droppedMessages: number;
  /** What `overflow: "truncate-oldest"` dropped to fit n_ctx; absent when nothing was. */
  truncation?: Truncation;
}

/**
 * What `overflow: "truncate-oldest"` dropped from a chat. It drops whole turns, oldest
 * first: a user message with the assistant and tool messages after it, up to the next
 * user message (messages before the first user message count as one turn). System
 * messages and the last turn are never dropped.
 */
export interface Truncation {
  /** Turns dropped. */
  turns: number;
  /** Messages dropped, over all those turns (`messageIndices.length`). */
  messages: number;
  /** Indices of the dropped messages in the messages passed in, ascending. */
  messageIndices: number[];
}

/** A compute device found by ggml's backend loader. */
export interface BackendDevice {
  /** ggml's device name: "CPU", "Vulkan0", "CUDA0". */
  name: string;
  /** The device's own description, e.g. the CPU or GPU model. */
  description: string;
  /** "CPU", "GPU", "IGPU", "ACCEL" or "META". */
  type: string;
  /** The backend: "CPU", "Vulkan", "CUDA", "Metal". */
  backend: string;
  /** Free memory in bytes. */
  memoryFreeBytes: number;
  /** Total memory in bytes. */
  memoryTotalBytes: number;
}

/** Which libraries an engine loaded and what they found. */
export interface EngineInfo {
  /** The folder libllama was loaded from. */
  libDir: string;
  /** The prebuilt `@node-llama-cpp/<variant>` package, or "custom" for --lib-dir. */
  variant: string;
  /** Every device of every loaded ggml backend. */
  devices: BackendDevice[];
  /** llama.cpp's system info (CPU features of the loaded backend). */
  systemInfo: string;
}

/** Options of `Model.tokenize`. */
export interface TokenizeOptions {
  /** Add BOS/EOS where the model's tokenizer does. Default true. */
  addSpecial?: boolean;
  /** Read special-token text such as `<|im_start|>` as those tokens. Default false. */
  parseSpecial?: boolean;
}

/** Options of `Model.detokenize`. */
export interface DetokenizeOptions {
  /** Drop a leading BOS / trailing EOS the tokenizer added. Default false. */
  removeSpecial?: boolean;
  /** Render special tokens as their text. Default false. */
  unparseSpecial?: boolean;
}
