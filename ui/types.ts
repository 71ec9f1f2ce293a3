/**
 * The wire shapes of the UI API, as docs/ui-api.md defines them (snake_case, OpenAI and
 * llama-server spelling). Times are milliseconds since the epoch; sizes are bytes.
 *
 * The shapes are the server's own types, imported as types only: nothing of the
 * server reaches the bundle, and the two sides cannot drift apart.
 *
 * @module
 */
import type { Chat, Overflow } from "../storage/types.ts";

export type { Chat, Message, Metrics, Sampling, Settings } from "../storage/types.ts";
export type { ModelEntry } from "../server/model_list.ts";
export type { LoadedModel, Loading } from "../server/model_host.ts";
export type { Resources } from "../server/resources.ts";
import type { LoadedModel, Loading } from "../server/model_host.ts";
import type { Settings } from "../storage/types.ts";

/** What the model does when a chat outgrows n_ctx. */
export type OverflowPolicy = Overflow;

/** A chat in the list; `snippet` (search results only) is HTML-escaped text with `<mark>` hits. */
export type ChatSummary = Chat & { snippet?: string };

/** `GET /api/state`. */
export type AppState = { loaded: LoadedModel | null; loading: Loading | null; settings: Settings };

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
