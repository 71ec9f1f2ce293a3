/**
 * The shapes storage holds. They match the UI's HTTP API (docs/ui-api.md) field for
 * field, in its snake_case wire spelling, so the server passes them through as they are.
 *
 * @module
 */

/**
 * Sampling parameters, llama-server/OpenAI spelling. On a chat they are overrides of the
 * settings' defaults; a missing key means "use the default".
 */
export interface Sampling {
  /** Softmax temperature, >= 0; 0 = greedy. */
  temperature?: number;
  /** Nucleus sampling mass, 0..1; 1 = off. */
  top_p?: number;
  /** Keep the k most likely tokens, integer >= 0; 0 = off. */
  top_k?: number;
  /** Drop tokens below min_p times the top probability, 0..1; 0 = off. */
  min_p?: number;
  /** Repeat penalty, >= 0; 1 = off. */
  repeat_penalty?: number;
  /** Tokens to generate at most, integer >= -1; -1 = until the end or a full context. */
  max_tokens?: number;
  /** Sampling seed, integer -1..2^32-1; -1 = a random seed per reply. */
  seed?: number;
}

/** How a chat handles a prompt longer than its context. */
export type Overflow = "error" | "truncate-oldest";

/** A conversation: its settings and which branch of its message tree is shown. */
export interface Chat {
  /** Random UUID. */
  id: string;
  /** Display title. */
  title: string;
  /** Creation time, ms since the epoch. */
  created_at: number;
  /** Last change to the chat or its messages, ms since the epoch; lists sort by it. */
  updated_at: number;
  /** Path of the GGUF model the chat uses; null = the settings' default model. */
  model: string | null;
  /** System prompt sent before the messages; "" = the settings' default system prompt. */
  system_prompt: string;
  /** Overrides of the settings' sampling defaults. */
  sampling: Sampling;
  /** Context size in tokens; null = the settings' default. */
  n_ctx: number | null;
  /** What to do when the prompt does not fit the context. */
  overflow: Overflow;
  /** The message whose path to the root is the shown branch; null = no messages. */
  active_leaf_id: string | null;
}

/** Who wrote a message. */
export type Role = "system" | "user" | "assistant";

/**
 * Where a message is in its life: "streaming" while a reply is generated,
 * "incomplete" when it was stopped or the process died mid-reply.
 */
export type MessageState = "complete" | "streaming" | "incomplete" | "error";

/** Why a reply ended: OpenAI's finish_reason plus "abort" (stopped by the user). */
export type FinishReason = "stop" | "length" | "abort";

/** Generation metrics of one assistant reply. */
export interface Metrics {
  /** Tokens in the prompt. */
  prompt_tokens: number;
  /** Prompt tokens reused from the KV cache. */
  cached_tokens: number;
  /** Tokens generated. */
  completion_tokens: number;
  /** Time to the first generated token, in milliseconds. */
  ttft_ms: number;
  /** Prompt processing speed, tokens per second. */
  prompt_tok_per_sec: number;
  /** Generation speed, tokens per second. */
  gen_tok_per_sec: number;
  /** Tokens a draft model proposed (speculative decoding; llama-server's `draft_n`); absent without a draft. */
  draft_n?: number;
  /** Of those, tokens the model accepted (llama-server's `draft_n_accepted`); absent without a draft. */
  draft_n_accepted?: number;
  /**
   * Wall time of the whole reply, from the request reaching the engine to its last token,
   * in milliseconds (TTFT plus generation); absent on replies saved before it was recorded.
   */
  duration_ms?: number;
  /**
   * The context size the reply ran with, in tokens (a setting, kept here so the generation
   * history can show it); absent for remote replies and replies saved before it was recorded.
   */
  n_ctx?: number;
}

/** One node of a chat's message tree. */
export interface Message {
  /** Random UUID. */
  id: string;
  /** The chat it belongs to. */
  chat_id: string;
  /** The message it answers or follows; null = a first message (a root). */
  parent_id: string | null;
  /** Who wrote it. */
  role: Role;
  /** Its text (Markdown for assistant replies). */
  content: string;
  /** Model path that generated it (assistant), else null. */
  model: string | null;
  /** Sampling used to generate it (assistant), else null. */
  sampling: Sampling | null;
  /** Generation metrics (assistant, once finished), else null. */
  metrics: Metrics | null;
  /** Creation time, ms since the epoch; siblings sort by it. */
  created_at: number;
  /** Life-cycle state. */
  state: MessageState;
  /** Why the reply ended; null while streaming, for user/system messages and errors. */
  finish_reason: FinishReason | null;
  /** Messages dropped from the prompt by overflow "truncate-oldest"; absent when none. */
  dropped_messages?: number;
  /** Why the reply failed (state "error"), in the UI's words; absent otherwise. */
  error?: string;
  /**
   * Where a reply was generated: "local" (this machine) or "remote" (a provider: the
   * conversation left the machine); absent for user and system messages.
   */
  backend?: MessageBackend;
  /** The remote provider's name (backend "remote"); absent otherwise. */
  provider?: string;
  /**
   * How many images the message carries (`storage.images`), as the UI API lists a
   * chat's messages; absent when none or not filled in.
   */
  images?: number;
}

/** Where a reply was generated. */
export type MessageBackend = "local" | "remote";

/** UI theme. */
export type Theme = "light" | "dark" | "system";

/** Saved main-window geometry, in pixels. */
export interface WindowGeometry {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Width. */
  width: number;
  /** Height. */
  height: number;
}

/** App-wide settings: the defaults chats override. */
export interface Settings {
  /** Model path loaded at start and used by chats without one; null = the bundled model. */
  default_model: string | null;
  /** Folders scanned for GGUF files (the model_folders table, oldest first). */
  model_folders: string[];
  /** UI theme. @default {"system"} */
  theme: Theme;
  /** Default sampling for every chat. */
  sampling: Required<Sampling>;
  /** Default context size in tokens: each slot holds this much. @default {2048} */
  n_ctx: number;
  /**
   * Slots: chat replies (and the OpenAI server's requests) generated at once, integer
   * 1..256; more wait for a slot. Each slot keeps a chat's KV cache, so a chat that keeps
   * its slot decodes only its new tokens; the KV cache holds `n_parallel` x `n_ctx`
   * tokens. @default {4}
   */
  n_parallel: number;
  /** System prompt of chats whose own is ""; "" = none. @default {""} */
  system_prompt: string;
  /** Saved window geometry; absent until the window first closes. */
  window?: WindowGeometry;
  /** The OpenAI-compatible server the app can run on its loaded model. */
  openai_server: OpenAiServerSettings;
}

/**
 * The app's OpenAI-compatible server ("Local API server" in Settings). It serves the
 * model the app has loaded on the chats' slots (`Settings.n_parallel` of `Settings.n_ctx`
 * tokens): its requests and chat replies share them.
 */
export interface OpenAiServerSettings {
  /** Serve while a model is loaded. @default {false} */
  enabled: boolean;
  /** TCP port; 0 = any free port (a new one on every restart). @default {8080} */
  port: number;
  /**
   * Unused since the server shares the chats' slots (`Settings.n_parallel`); kept so
   * databases that store it still read. @default {2}
   * @deprecated
   */
  n_parallel: number;
  /**
   * Unused since the server shares the chats' slots (`Settings.n_ctx` tokens each);
   * kept so databases that store it still read. @default {4096}
   * @deprecated
   */
  n_ctx: number;
  /** Bind 0.0.0.0 (every interface) instead of 127.0.0.1; needs an API key. @default {false} */
  all_interfaces: boolean;
  /** Whether an API key is set. The key itself is never read back: only the server uses it. */
  api_key_set: boolean;
}

/** A folder scanned for GGUF files. */
export interface ModelFolder {
  /** Absolute, normalized path. */
  path: string;
  /** When it was added, ms since the epoch. */
  added_at: number;
}

/** A workspace folder: a folder the user chose, whose files the UI may reach through the app. */
export interface WorkspaceFolder {
  /** Its id: the row's integer key, as a decimal string. */
  id: string;
  /** Absolute, normalized real path (no symlinks, no trailing slash). */
  path: string;
  /** When it was added, ms since the epoch. */
  added_at: number;
}

/**
 * How a model file is loaded, saved per file (llama.cpp's and llama-server's names); an
 * absent field uses the default.
 */
export interface ModelLoadOptions {
  /** Tokens per slot; a chat's own n_ctx wins, the settings' applies when absent. */
  n_ctx?: number;
  /** Layers offloaded to the GPU: -1 all, 0 none (CPU only). Default -1. */
  n_gpu_layers?: number;
  /** CPU threads. Default: logical CPUs. */
  n_threads?: number;
  /** Flash attention. Default "auto". */
  flash_attn?: "on" | "off" | "auto";
  /** K cache type (llama-server -ctk). Default "f16". */
  cache_type_k?: "f32" | "f16" | "bf16" | "q8_0" | "q4_0" | "q4_1" | "iq4_nl" | "q5_0" | "q5_1";
  /** V cache type (llama-server -ctv). Default "f16". */
  cache_type_v?: ModelLoadOptions["cache_type_k"];
  /** Memory-map the file (pages load on demand). Default true. */
  use_mmap?: boolean;
  /** Lock the weights in RAM, never swapped (llama.cpp's `--mlock`). Default false. */
  use_mlock?: boolean;
  /**
   * Draft model file for speculative decoding (llama.cpp's `-md`), loaded on the same engine;
   * it must share the model's vocabulary. Default none.
   */
  draft_model?: string;
  /** Most tokens drafted per step (`--draft-max`), 1..512. Default 16 (engine/speculative.ts). */
  draft_max?: number;
  /** Least top-token probability to keep drafting (`--draft-p-min`), 0..1. Default 0.75. */
  draft_p_min?: number;
  /**
   * The device kind to load on: the prebuilt `@node-llama-cpp` package for it on this
   * machine (CPU, Vulkan, CUDA, Metal); a model loaded with a kind other than the running
   * engine's starts an engine on that package. Default: the one Hearth chooses for the
   * machine (ffi/lib_dir.ts chooseVariant, or --lib-dir).
   */
  variant?: "cpu" | "vulkan" | "cuda" | "metal";
}
