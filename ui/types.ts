/**
 * The wire shapes of the UI API, as docs/ui-api.md defines them (snake_case, OpenAI and
 * llama-server spelling). Times are milliseconds since the epoch; sizes are bytes.
 *
 * @module
 */

/** Sampling options; on a chat they override the settings' defaults. */
export type Sampling = {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  repeat_penalty?: number;
  max_tokens?: number;
  seed?: number;
};

/** What the model does when a chat outgrows n_ctx. */
export type OverflowPolicy = "error" | "truncate-oldest";

/** A conversation; its messages form a tree, `active_leaf_id` picks the branch shown. */
export type Chat = {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  /** Model path; null = the loaded model. */
  model: string | null;
  system_prompt: string;
  sampling: Sampling;
  /** null = the settings' default. */
  n_ctx: number | null;
  overflow: OverflowPolicy;
  active_leaf_id: string | null;
};

/** A chat in the list; `snippet` (search results only) is HTML-escaped text with `<mark>` hits. */
export type ChatSummary = Chat & { snippet?: string };

/** Speed and size of one reply. */
export type Metrics = {
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  ttft_ms: number;
  prompt_tok_per_sec: number;
  gen_tok_per_sec: number;
};

/** A node of a chat's message tree. */
export type Message = {
  id: string;
  chat_id: string;
  parent_id: string | null;
  role: "system" | "user" | "assistant";
  content: string;
  model: string | null;
  sampling: Sampling | null;
  metrics: Metrics | null;
  created_at: number;
  /** incomplete = stopped or crashed mid-reply. */
  state: "complete" | "streaming" | "incomplete" | "error";
  finish_reason: "stop" | "length" | "abort" | null;
  /** Overflow "truncate-oldest" left this many old messages out of the prompt. */
  dropped_messages?: number;
};

/** A GGUF file the app found. */
export type ModelEntry = {
  path: string;
  name: string;
  size_bytes: number;
  architecture: string | null;
  context_length: number | null;
  has_chat_template: boolean;
  bundled: boolean;
  /** Present when the file failed GGUF validation: it cannot be loaded. */
  error?: string;
};

/** The model in memory. */
export type LoadedModel = {
  path: string;
  description: string;
  n_params: number;
  size_bytes: number;
  n_ctx_train: number;
  n_ctx: number;
  kv_cache_bytes: number;
  n_layers_offloaded: number;
};

/** A model load in progress; `progress` is 0..1. */
export type Loading = { path: string; progress: number };

/** App-wide settings. */
export type Settings = {
  default_model: string | null;
  model_folders: string[];
  theme: "light" | "dark" | "system";
  sampling: Required<Sampling>;
  n_ctx: number;
  system_prompt: string;
  window?: { x: number; y: number; width: number; height: number };
};

/** `GET /api/state`. */
export type AppState = { loaded: LoadedModel | null; loading: Loading | null; settings: Settings };

/** `GET /api/resources`. */
export type Resources = {
  ram_total_bytes: number;
  ram_free_bytes: number;
  rss_bytes: number;
  model_size_bytes: number;
  kv_cache_bytes: number;
  /** 0..1 over all cores. */
  cpu_load: number;
  /** The last 60 s, one sample a second. */
  gen_tok_per_sec: number[];
};

/** Body of `POST /api/chats`. */
export type NewChat = Partial<
  Pick<Chat, "title" | "model" | "system_prompt" | "sampling" | "n_ctx">
>;

/** Body of `PATCH /api/chats/:id`. */
export type ChatPatch = Partial<
  Pick<
    Chat,
    "title" | "model" | "system_prompt" | "sampling" | "n_ctx" | "overflow" | "active_leaf_id"
  >
>;

/** Export formats of `GET /api/chats/:id/export`. */
export type ExportFormat = "md" | "jsonl" | "openai";

/** Import formats of `POST /api/import`. */
export type ImportFormat = "jsonl" | "openai";
