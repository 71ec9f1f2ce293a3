/**
 * What the OpenAI app's middleware hands its routes, and what routes are built from.
 *
 * @module
 */
import type { CompletionBackend } from "./backend.ts";
import type { JsonObject } from "./fields.ts";
import type { ServerMetrics } from "./metrics.ts";
import type { ProviderRegistry } from "../../app/providers/registry.ts";

/** Hono environment of the OpenAI app. */
export interface OpenAiEnv {
  /** Values the middleware sets on each request's context. */
  Variables: {
    /** The parsed JSON body of a POST (`{}` for other methods). */
    body: JsonObject;
    /** The parsed JSON array body of the few routes that take one (`POST /lora-adapters`). */
    bodyList: unknown[] | undefined;
    /** Aborted when the client disconnects or cancels a stream. */
    abort: AbortController;
  };
}

/** What the route modules share. */
export interface RouteDeps {
  /** The served model. */
  backend: CompletionBackend;
  /** The server's counters. */
  metrics: ServerMetrics;
  /** A chat template to use instead of the model's own, if any. */
  chatTemplate: string | undefined;
  /** http(s) `image_url`s are fetched (`--allow-image-urls`); else refused with 400. */
  allowImageUrls: boolean;
  /** When the server started, in Unix seconds (the model's `created`). */
  startedAt: number;
  /** `/health` answers 503 once the scheduler has gone this long without a step, in ms. */
  stallAfterMs: number;
  /** Remote providers fronted beside the local model, if any. */
  providers?: ProviderRegistry;
}
