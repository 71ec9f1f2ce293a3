/**
 * Serves the OpenAI-compatible API over HTTP: loopback by default, an API key
 * required on any other address, Host checked against the bound names.
 *
 * @module
 */
import type { CompletionBackend } from "./backend.ts";
import { createOpenAiApp } from "./app.ts";
import type { ProviderRegistry } from "../../app/providers/registry.ts";
import { OpenAiError } from "./errors.ts";
import { serveWithDeadlines } from "../serve_with_deadlines.ts";

/** Options of {@link startOpenAiServer}. */
export interface OpenAiServerOptions {
  /** Address to bind. Default "127.0.0.1"; anything but loopback needs `apiKey`. */
  host?: string;
  /** Port to bind; 0 = any free port. Default 8080. */
  port?: number;
  /** The API key clients send as `Authorization: Bearer`. */
  apiKey?: string;
  /** Browser origins allowed to call the API. Default none. */
  cors?: string[];
  /** A chat template to use instead of the model's own. */
  chatTemplate?: string;
  /** Fetch http(s) `image_url`s requests name; else only `data:` URLs. Default false. */
  allowImageUrls?: boolean;
  /** Largest request body, in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Remote providers fronted beside the local model (`NAME:MODEL`). Default none. */
  providers?: ProviderRegistry;
  /** Time a client has to send a request head, in milliseconds. Default 10 s. */
  headerTimeoutMs?: number;
  /**
   * Time a connection may send nothing while no request runs (keep-alive) or while a
   * body is arriving, in milliseconds; running responses are never cut. Default 60 s.
   */
  idleTimeoutMs?: number;
  /** `/health` answers 503 after this long without a scheduler step (ms); see the app's. */
  stallAfterMs?: number;
}

/** A running OpenAI API server. */
export interface OpenAiServer {
  /** Its base URL, e.g. "http://127.0.0.1:8080" (clients add "/v1"). */
  readonly url: string;
  /** Stops running generations and closes the server. */
  shutdown(): Promise<void>;
}

/** Whether `host` names a loopback address. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * Starts serving `backend`.
 *
 * @throws {RangeError} when `host` is not loopback and no API key is given, or the
 *   port is out of range.
 * @example
 * ```ts ignore
 * const server = startOpenAiServer(backend, { port: 0 });
 * console.log(`OpenAI API at ${server.url}/v1`);
 * await server.shutdown();
 * ```
 */
export function startOpenAiServer(
  backend: CompletionBackend,
  options: OpenAiServerOptions = {},
): OpenAiServer {
  const { host = "127.0.0.1", port = 8080 } = options;
  const apiKey = options.apiKey || undefined;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port must be an integer in [0, 65535], got ${port}`);
  }
  if (!isLoopback(host) && apiKey === undefined) {
    throw new RangeError(
      `Cannot serve on "${host}" without an API key: set --api-key (or HEARTH_API_KEY), or bind 127.0.0.1`,
    );
  }
  let hosts: string[] = [];
  const closing = new AbortController();
  const app = createOpenAiApp(backend, {
    apiKey,
    cors: options.cors,
    hosts: () => hosts,
    chatTemplate: options.chatTemplate,
    allowImageUrls: options.allowImageUrls,
    maxBodyBytes: options.maxBodyBytes,
    shutdownSignal: closing.signal,
    stallAfterMs: options.stallAfterMs,
    providers: options.providers,
  });
  const hostname = host.replace(/^\[|\]$/g, "");
  const server = serveWithDeadlines({
    hostname,
    port,
    headerTimeoutMs: options.headerTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    errorBody: (status, message) =>
      new OpenAiError(status, "invalid_request_error", message, {
        code: status === 414 ? "uri_too_long" : "headers_too_large",
      }).toJSON(),
  }, app.fetch);
  const bound = server.addr.port;
  const urlHost = hostname.includes(":") ? `[${hostname}]` : hostname;
  hosts = [...new Set([urlHost, "127.0.0.1", "localhost", "[::1]", ...wildcardNames(hostname)])]
    .map((name) => `${name}:${bound}`);
  return {
    url: `http://${urlHost}:${bound}`,
    async shutdown() {
      closing.abort(new DOMException("The server is shutting down", "AbortError"));
      await server.shutdown();
    },
  };
}

/** A wildcard bind answers on every interface: its addresses and the host name. */
function wildcardNames(hostname: string): string[] {
  if (hostname !== "0.0.0.0" && hostname !== "::") return [];
  const names = Deno.networkInterfaces().map((i) =>
    i.family === "IPv6" ? `[${i.address}]` : i.address
  );
  try {
    names.push(Deno.hostname());
  } catch {
    // Without --allow-sys the host name is unknown; addresses still work.
  }
  return names;
}
