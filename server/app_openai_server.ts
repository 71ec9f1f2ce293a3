/**
 * The desktop app's OpenAI-compatible server (the "Local API server" toggle): while it
 * is enabled and a model is loaded, the loaded model is served over the same API as
 * `hearth serve`, on the model host's serving context: its requests and the chats share
 * the same slots (the slots setting), so they generate at the same time.
 *
 * Ownership: the model host owns the model and its serving context; this owns only the
 * HTTP server. On the host's `model` event, published synchronously as a model (or its
 * serving context) goes, it stops the server before any request can reach the old
 * context, then restarts on the next one. It catches up with the settings whenever
 * {@link AppOpenAiServer.apply} runs.
 *
 * @module
 */
import { basename } from "node:path";
import type { ServingContext } from "../engine/serving.ts";
import type { SettingsStore } from "../storage/mod.ts";
import type { EventHub } from "../app/events.ts";
import type { OpenAiServerStatus } from "../api/types.ts";
import { ServingBackend } from "./openai/serving_backend.ts";
import { isLoopback, type OpenAiServer, startOpenAiServer } from "./openai/server.ts";
import type { ProviderRegistry } from "../app/providers/registry.ts";

/** What the server should be, read from the settings on every {@link AppOpenAiServer.apply}. */
export interface AppOpenAiServerConfig {
  /** Serve while a model is loaded. */
  enabled: boolean;
  /** Address to bind: "127.0.0.1", or "0.0.0.0" for every interface. */
  host: string;
  /** Port; 0 = any free port. */
  port: number;
  /** The Bearer key clients must send; required off loopback. */
  apiKey: string | undefined;
}

/** Options of {@link AppOpenAiServer}. */
export interface AppOpenAiServerOptions {
  /** The loaded model's serving context, or null. Owned by the caller: never disposed here. */
  serving: () => ServingContext | null;
  /** The app's events: `model` ones are followed, `openai_server` ones published. */
  events: EventHub;
  /** The wanted server, read on every {@link AppOpenAiServer.apply}. */
  config: () => AppOpenAiServerConfig;
  /** Remote providers the server fronts beside the loaded model (`NAME:MODEL`). Default none. */
  providers?: ProviderRegistry;
}

interface Running {
  /** The config it was started for. */
  key: string;
  serving: ServingContext;
  server: OpenAiServer;
}

/** Runs the OpenAI server on the app's loaded model when the settings say so. */
export class AppOpenAiServer {
  readonly #serving: () => ServingContext | null;
  readonly #config: () => AppOpenAiServerConfig;
  readonly #events: EventHub;
  readonly #providers: ProviderRegistry | undefined;
  readonly #unsubscribe: () => void;
  #status: OpenAiServerStatus = stopped("Turned off");
  #running: Running | undefined;
  /** The last shutdown's end: a new server may need the port it frees. */
  #shutdown: Promise<void> = Promise.resolve();
  /** Applies run one after another, so a start never races a stop. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  /** Follows the model events; nothing starts until {@link apply} or a model loads. */
  constructor(options: AppOpenAiServerOptions) {
    this.#serving = options.serving;
    this.#config = options.config;
    this.#events = options.events;
    this.#providers = options.providers;
    this.#unsubscribe = options.events.subscribe(({ event }) => {
      if (event !== "model") return;
      // The old context is disposed by now: stop before another request reaches it.
      if (this.#running && this.#running.serving !== this.#serving()) this.#stop();
      void this.apply();
    });
  }

  /** The current status. */
  get status(): OpenAiServerStatus {
    return { ...this.#status };
  }

  /**
   * Starts, restarts or stops the server to match the settings and the loaded model.
   * Never rejects: a failure to start is the status "error" with its message.
   *
   * @returns The status afterwards.
   */
  apply(): Promise<OpenAiServerStatus> {
    this.#queue = this.#queue.then(() => this.#reconcile()).catch((error) =>
      this.#set({ ...stopped(null), state: "error", message: messageOf(error) })
    );
    return this.#queue.then(() => this.status);
  }

  /** Stops the server for good (before the app disposes the model); idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe();
    await this.apply();
    await this.#shutdown;
  }

  async #reconcile(): Promise<void> {
    const config = this.#config();
    const serving = this.#serving();
    const key = JSON.stringify(config);
    if (
      this.#running?.key === key && this.#running.serving === serving && !this.#closed &&
      config.enabled
    ) return;
    this.#stop();
    await this.#shutdown;
    if (this.#closed || !config.enabled) return this.#set(stopped("Turned off"));
    if (!serving) return this.#set(stopped("Starts when a model is loaded"));
    if (!isLoopback(config.host) && !config.apiKey) {
      return this.#set({
        ...stopped(null),
        state: "error",
        message:
          'Cannot serve on all interfaces without an API key: set an API key, or turn off "Serve on all interfaces"',
      });
    }
    this.#set({ ...stopped(null), state: "starting" });
    try {
      const alias = basename(serving.model.info.path).replace(/\.gguf$/i, "");
      const server = startOpenAiServer(new ServingBackend(alias, serving), {
        host: config.host,
        port: config.port,
        apiKey: config.apiKey,
        providers: this.#providers,
      });
      this.#running = { key, serving, server };
      const port = new URL(server.url).port;
      // A wildcard bind answers on 127.0.0.1 too; that is the URL to copy on this machine.
      const url = config.host === "0.0.0.0" ? `http://127.0.0.1:${port}` : server.url;
      this.#set({ state: "running", url: `${url}/v1`, model: alias, message: null });
    } catch (error) {
      this.#set({ ...stopped(null), state: "error", message: startError(error, config) });
    }
  }

  /**
   * Stops at once: no new request reaches the serving context after this returns; the
   * HTTP server finishes closing (its requests end) in {@link #shutdown}.
   */
  #stop(): void {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    const closed = running.server.shutdown();
    this.#shutdown = this.#shutdown.then(() => closed).catch(() => {});
    this.#set(stopped("Stopped"));
  }

  #set(status: OpenAiServerStatus): void {
    // Every settings change applies; only a real change is worth an event.
    if (JSON.stringify(status) === JSON.stringify(this.#status)) return;
    this.#status = status;
    this.#events.publish({ event: "openai_server", data: this.status });
  }
}

/** The config the settings describe; the API key comes from its own row. */
export function openAiServerConfig(settings: SettingsStore): AppOpenAiServerConfig {
  const { openai_server: s } = settings.get();
  return {
    enabled: s.enabled,
    host: s.all_interfaces ? "0.0.0.0" : "127.0.0.1",
    port: s.port,
    apiKey: s.api_key_set ? settings.openAiApiKey() ?? undefined : undefined,
  };
}

function stopped(message: string | null): OpenAiServerStatus {
  return { state: "stopped", url: null, model: null, message };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function startError(error: unknown, config: AppOpenAiServerConfig): string {
  if (error instanceof Deno.errors.AddrInUse) {
    return `Cannot listen on ${config.host}:${config.port}: the port is in use; pick another port, or 0 for any free one`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `Cannot listen on ${config.host}:${config.port}: permission denied; pick a port above 1023`;
  }
  return `Cannot start the OpenAI server: ${messageOf(error)}`;
}
