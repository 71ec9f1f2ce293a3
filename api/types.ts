/**
 * The wire shapes of the UI API, as docs/ui-api.md defines them (snake_case, OpenAI and
 * llama-server spelling). Times are milliseconds since the epoch; sizes are bytes.
 *
 * Most shapes are the lower layers' own types, imported as types only: nothing of the
 * server reaches the bundle, and the two sides cannot drift apart. The model library,
 * memory fit, hub and download shapes are written out here, exactly as the contract's
 * section "Model library, memory fit, Hugging Face hub and downloads" gives them, and
 * the server makes them with the mappers of api/library_json.ts and api/hub_json.ts,
 * which are typed with them. Every test fake imports them from here too.
 *
 * @module
 */
import type { Chat, Overflow } from "../storage/types.ts";

export type { Chat, Message, Metrics, Sampling, Settings } from "../storage/types.ts";
export type { ModelLoadOptions } from "../storage/types.ts";
export type { DeviceChoice, DeviceKind } from "../ffi/devices.ts";
/** The overflow policy of a chat that sets none. */
export { DEFAULT_OVERFLOW } from "../storage/chat_defaults.ts";
export type { LoadedLora, LoadedModel, LoadError, Loading } from "../app/loaded_model.ts";
export type { Resources } from "../app/resources.ts";
export type { DeletedMessages } from "../app/message_ops.ts";
export type { ContextUsage } from "../app/context_usage.ts";
export type { HubTokenSource } from "../app/hub_token.ts";
export type { OpenAiServerSettings } from "../storage/types.ts";
export type { OpenAiServerPatch, SettingsPatch } from "../storage/settings.ts";
import type { LoadedModel, LoadError, Loading } from "../app/loaded_model.ts";
import type { Settings } from "../storage/types.ts";

/** What the model does when a chat outgrows n_ctx. */
export type OverflowPolicy = Overflow;

/** A chat in the list; `snippet` (search results only) is HTML-escaped text with `<mark>` hits. */
export type ChatSummary = Chat & {
  snippet?: string;
  /** The message the snippet comes from (null: the title); search results only. */
  message_id?: string | null;
};

/** `GET /api/state`. */
export type AppState = {
  loaded: LoadedModel | null;
  loading: Loading | null;
  /** Why the last load failed; null once another load starts. */
  load_error: LoadError | null;
  settings: Settings;
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

/** Where a library file was found. */
export type LibrarySource = "bundled" | "folder" | "hf-cache" | "lmstudio" | "llama.cpp";

/** One GGUF file of the library (`GET /api/models`). */
export type LibraryEntry = {
  /** Stable id of the file in the library. */
  id: string;
  path: string;
  name: string;
  kind: "model" | "vocab-only" | "mmproj" | "adapter";
  size_bytes: number;
  architecture: string | null;
  quantization: string | null;
  n_params: number | null;
  context_length: number | null;
  n_layer: number | null;
  has_chat_template: boolean;
  license: string | null;
  base_model: string | null;
  source: LibrarySource;
  /** "org/name" for files in the Hugging Face cache. */
  hf_repo: string | null;
  sha256: string | null;
  verified_at: number | null;
  /** Set: failed GGUF validation, never loadable. */
  broken_reason: string | null;
  bundled: boolean;
};

/**
 * Memory a model needs per device, from llama.cpp's `no_alloc` simulation, or where it cannot
 * answer, a formula over the GGUF metadata (compute buffers approximate).
 */
export type MemoryFit = {
  devices: {
    device: string;
    weights_bytes: number;
    kv_cache_bytes: number;
    compute_bytes: number;
    total_bytes: number;
    free_bytes: number;
  }[];
  total_bytes: number;
  verdict: "fits" | "tight" | "does-not-fit";
  /** Tokens of KV cache per slot the estimate is for. */
  n_ctx: number;
  /** Slots (sequences) the estimate counts, each with `n_ctx` tokens of KV cache. */
  n_parallel: number;
  /** The largest n_ctx per slot that fits in free memory. */
  max_n_ctx: number;
  /** What produced the estimate. */
  method: "simulation" | "formula";
  /** Why the simulation did not answer (method "formula"); else null. */
  simulation_error: string | null;
};

/** `POST /api/models/:id/verify`. */
export type VerifyResult = { ok: boolean; sha256: string; expected_sha256: string | null };

/** `library` event: ids of files that appeared, changed or vanished. */
export type LibraryChange = { added: string[]; updated: string[]; removed: string[] };

/** A GGUF repository in hub search results. */
export type HubModel = {
  id: string;
  author: string | null;
  downloads: number;
  likes: number;
  last_modified: number | null;
  gated: false | "auto" | "manual";
};

/** Sort orders of `GET /api/hub/search`. */
export type HubSort = "downloads" | "likes" | "lastModified" | "trending";

/** `GET /api/hub/search`. */
export type HubSearchPage = { models: HubModel[]; next_cursor: string | null };

/** One GGUF file (or split set) of a hub repository. */
export type HubFile = {
  path: string;
  size_bytes: number;
  quant: string | null;
  sha256: string | null;
  parts: number;
  is_mmproj: boolean;
};

/**
 * `GET /api/hub/repos/:org/:name/metadata?file=`: what a hub file's GGUF header says, read
 * before download; null where the header does not say.
 */
export type HubFileMetadata = {
  repo: string;
  /** The file, or the first part of a split model. */
  file: string;
  parts: number;
  architecture: string | null;
  name: string | null;
  n_params: number | null;
  quantization: string | null;
  context_length: number | null;
  n_layer: number | null;
  n_embd: number | null;
  n_head: number | null;
  n_head_kv: number | null;
  has_chat_template: boolean;
  license: string | null;
  base_model: string | null;
  base_model_repo_url: string | null;
};

/** `GET /api/hub/repos/:org/:name`. */
export type HubRepo = {
  id: string;
  gated: HubModel["gated"];
  files: HubFile[];
  default_file: string | null;
  readme: string | null;
};

/** A download of a hub file into the Hugging Face cache. */
export type Download = {
  id: string;
  repo: string;
  file: string;
  state: "queued" | "downloading" | "paused" | "done" | "error" | "cancelled";
  downloaded_bytes: number;
  total_bytes: number | null;
  bytes_per_second: number;
  eta_seconds: number | null;
  error?: string;
  /** Path once done. */
  path?: string;
};

/** The server's state as the UI shows it (docs/ui-api.md `OpenAiServerStatus`). */
export interface OpenAiServerStatus {
  /** "starting" while the serving context is made; "error" when it could not start. */
  state: "stopped" | "starting" | "running" | "error";
  /** The base URL clients use, ending in /v1, while running; else null. */
  url: string | null;
  /** The model id clients send (the file name without .gguf) while running; else null. */
  model: string | null;
  /** Why it is stopped or failed; null while running. */
  message: string | null;
}

/** A remote provider as the UI sees it (docs/ui-api.md `Provider`): never its key. */
export type { ProviderInfo as Provider } from "../app/providers/registry.ts";
/** The provider presets: OpenAI, OpenRouter, Hugging Face, custom. */
export type { Preset, PresetId } from "../app/providers/presets.ts";

/** What a provider is added or changed with; `api_key` is write-only ("" removes it). */
export type ProviderPatch = {
  name?: string;
  preset?: "openai" | "openrouter" | "huggingface" | "custom";
  base_url?: string;
  api_key_env?: string | null;
  concurrency?: number;
  api_key?: string;
};

/** `POST /api/providers/:name/test`: round-trip time in milliseconds and the models. */
export type ProviderTest = { rtt_ms: number; model_count: number; models: string[] };

/** `POST /api/context`'s body: the branch (and draft message) whose next prompt is measured. */
export type ContextRequest = {
  /** The chat; null for one not created yet. */
  chat_id: string | null;
  /** Last message of the branch; absent: the chat's active leaf; null: none. */
  leaf_id?: string | null;
  /** A message being typed, counted as the next user message. */
  draft?: string;
  /** System prompt of a chat not created yet. */
  system_prompt?: string;
  /** Overflow policy of a chat not created yet. */
  overflow?: Overflow;
};
