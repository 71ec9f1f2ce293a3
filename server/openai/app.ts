/**
 * The OpenAI-compatible API as a Hono app: middleware (request counting, Host check,
 * CORS, API key, disconnect handling, JSON bodies), one route module per resource,
 * and one `onError` that answers every error as OpenAI error JSON.
 *
 * @module
 */
import { Hono } from "hono";
import type { CompletionBackend } from "./backend.ts";
import type { OpenAiEnv, RouteDeps } from "./env.ts";
import { OpenAiError, openAiErrorResponse } from "./errors.ts";
import { nowSeconds } from "./ids.ts";
import { ServerMetrics } from "./metrics.ts";
import { abortOnDisconnect } from "./middleware/abort_on_disconnect.ts";
import { apiKey } from "./middleware/api_key.ts";
import { countRequests } from "./middleware/count_requests.ts";
import { cors } from "./middleware/cors.ts";
import { hostGuard } from "./middleware/host_guard.ts";
import { DEFAULT_MAX_BODY_BYTES, jsonBody } from "./middleware/json_body.ts";
import { chatCompletionsRoute } from "./routes/chat_completions.ts";
import { completionsRoute } from "./routes/completions.ts";
import { embeddingsRoute } from "./routes/embeddings.ts";
import { healthRoutes } from "./routes/health.ts";
import { loraAdaptersRoute } from "./routes/lora_adapters.ts";
import { modelsRoute } from "./routes/models.ts";
import { remoteChat } from "./routes/remote_chat.ts";
import type { ProviderRegistry } from "../../app/providers/registry.ts";

/** Options of {@link createOpenAiApp}. */
export interface OpenAiAppOptions {
  /** When set (non-empty), every route but `/health` needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Browser origins allowed to call the API (e.g. "http://localhost:3000"). Default none. */
  cors?: string[];
  /** Host header values the server answers to (DNS rebinding guard), e.g. "127.0.0.1:8080". */
  hosts: () => string[];
  /** Largest request body, in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
  /** A Jinja chat template to use instead of the model's own (llama-server's --chat-template). */
  chatTemplate?: string;
  /**
   * Fetch http(s) `image_url`s that requests name (`--allow-image-urls`); else only
   * inline `data:` URLs are taken. Default false.
   */
  allowImageUrls?: boolean;
  /** Aborting it stops every running generation (the server is shutting down). */
  shutdownSignal?: AbortSignal;
  /**
   * `/health` answers 503 once the backend's scheduler has gone this long without a
   * decode step while requests are in flight, in milliseconds. Default 30,000: far
   * beyond a step's time, which counts only between steps (a long prompt chunk is no
   * stall).
   */
  stallAfterMs?: number;
  /**
   * Remote providers to front beside the local model: `NAME:MODEL` requests go to them
   * and `GET /v1/models` lists their models. Default none.
   */
  providers?: ProviderRegistry;
}

/** Default of {@link OpenAiAppOptions.stallAfterMs}, in milliseconds. */
export const DEFAULT_STALL_AFTER_MS = 30_000;

/**
 * Builds the OpenAI-compatible API over `backend`: `GET /v1/models`,
 * `POST /v1/chat/completions`, `POST /v1/completions`, `POST /v1/embeddings`,
 * `GET /health`, `GET /metrics`, `GET`/`POST /lora-adapters`.
 *
 * @example
 * ```ts ignore
 * const app = createOpenAiApp(backend, { hosts: () => ["127.0.0.1:8080"] });
 * Deno.serve({ hostname: "127.0.0.1", port: 8080 }, app.fetch);
 * ```
 */
export function createOpenAiApp(backend: CompletionBackend, options: OpenAiAppOptions): Hono {
  const metrics = new ServerMetrics();
  const deps: RouteDeps = {
    backend,
    metrics,
    chatTemplate: options.chatTemplate,
    allowImageUrls: options.allowImageUrls ?? false,
    startedAt: nowSeconds(),
    stallAfterMs: options.stallAfterMs ?? DEFAULT_STALL_AFTER_MS,
    providers: options.providers,
  };
  const app = new Hono<OpenAiEnv>();
  app.onError((error) => openAiErrorResponse(error));
  app.notFound((c) =>
    openAiErrorResponse(
      new OpenAiError(404, "invalid_request_error", `Invalid URL (${c.req.method} ${c.req.path})`),
    )
  );
  app.use("*", countRequests(metrics));
  app.use("*", hostGuard(options.hosts));
  app.use("*", cors(options.cors ?? []));
  if (options.apiKey) app.use("*", apiKey(options.apiKey));
  app.use("*", abortOnDisconnect(options.shutdownSignal));
  app.use("*", jsonBody(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
  app.route("/", healthRoutes(deps));
  app.route("/v1/models", modelsRoute(deps));
  if (options.providers) app.use("/v1/chat/completions", remoteChat(options.providers));
  app.route("/v1/chat/completions", chatCompletionsRoute(deps));
  app.route("/v1/completions", completionsRoute(deps));
  app.route("/v1/embeddings", embeddingsRoute(deps));
  app.route("/lora-adapters", loraAdaptersRoute(deps));
  // Callers get a plain Hono: the variables belong to the middleware chain inside.
  return app as unknown as Hono;
}
