/**
 * The one way this layer talks HTTP: auth header, merged abort signals, retries for
 * network errors, 5xx and 429, and every failure turned into a {@link HubError} whose
 * message says what to do.
 *
 * @module
 */
import { HubError } from "./errors.ts";
import type { HubOptions } from "./options.ts";
import { modelPageUrl } from "./_repo.ts";
import {
  API_RETRY_POLICY,
  delay,
  parseRetryAfter,
  retryDelayMs,
  type RetryPolicy,
} from "./_retry.ts";

/** What a failing request was for, to build its error message. */
export interface RequestContext {
  /** The action in words, e.g. `list files of "org/name"`. */
  what: string;
  /** The repository, to point the user at its page when access is denied. */
  repo?: string;
}

/** One signal that aborts when any of the given ones does. */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

/** `Authorization: Bearer <token>` when a token is set. */
export function authHeaders(options: HubOptions): Record<string, string> {
  return options.token ? { Authorization: `Bearer ${options.token}` } : {};
}

/**
 * Fetches `url`, retrying network failures, 5xx and 429 (honouring `Retry-After`).
 *
 * @returns A 2xx or 3xx response (3xx only with `redirect: "manual"`).
 * @throws {HubError} For any other status, or when retries run out.
 */
export async function hubFetch(
  url: string,
  init: RequestInit,
  options: HubOptions,
  context: RequestContext,
  policy: RetryPolicy = API_RETRY_POLICY,
): Promise<Response> {
  const signal = anySignal(init.signal ?? undefined, options.signal);
  for (let retry = 0;; retry++) {
    try {
      return await fetchOnce(url, { ...init, signal }, options, context);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!(error instanceof HubError) || !error.retryable || retry >= policy.maxRetries) {
        throw error;
      }
      await delay(retryDelayMs(policy, retry + 1, error.retryAfterMs), signal);
    }
  }
}

async function fetchOnce(
  url: string,
  init: RequestInit,
  options: HubOptions,
  context: RequestContext,
): Promise<Response> {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(authHeaders(options))) headers.set(name, value);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { ...init, headers });
  } catch (error) {
    if (init.signal?.aborted) throw init.signal.reason;
    throw networkError(error, url, context);
  }
  if (response.status < 400) return response;
  throw await errorFromResponse(response, context, options.endpoint);
}

/** Wraps a failed connection or body read as a retryable "network" {@link HubError}. */
export function networkError(error: unknown, url: string, context: RequestContext): HubError {
  const reason = error instanceof Error ? error.message : String(error);
  return new HubError(
    `Cannot ${context.what}: the connection to ${url} failed (${reason}); check the network ` +
      `or HF_ENDPOINT`,
    { code: "network", status: 0, url, cause: error },
  );
}

/**
 * Turns an error response into a {@link HubError}, reading the hub's `X-Error-Code`
 * and `X-Error-Message` headers (`RepoNotFound`, `EntryNotFound`, `GatedRepo`, ...).
 * Consumes the body.
 */
export async function errorFromResponse(
  response: Response,
  context: RequestContext,
  endpoint: string,
): Promise<HubError> {
  const { status } = response;
  const url = response.url;
  const requestId = response.headers.get("X-Request-Id") ?? undefined;
  const errorCode = response.headers.get("X-Error-Code");
  const serverMessage = response.headers.get("X-Error-Message") ?? await bodyMessage(response);
  const retryAfterMs = parseRetryAfter(response.headers.get("Retry-After"));
  const where = `HTTP ${status} from ${url}${requestId ? ` (request id ${requestId})` : ""}`;
  const said = serverMessage ? `: "${serverMessage.slice(0, 200)}"` : "";
  const init = { status, url, requestId, retryAfterMs };
  const notFound = status === 404 || errorCode === "RepoNotFound" ||
    errorCode === "EntryNotFound" || errorCode === "RevisionNotFound";
  if (notFound) {
    return new HubError(
      `Cannot ${context.what}: not found (${where}${said}); check the repo id, revision and ` +
        `file name, or set HF_TOKEN if the repository is private`,
      { ...init, code: "not_found" },
    );
  }
  if (status === 401 || status === 403) {
    const page = context.repo ? ` (${modelPageUrl(endpoint, context.repo)})` : "";
    return new HubError(
      `Cannot ${context.what}: access denied (${where}${said}); the repository is gated or ` +
        `private: accept the license on the model page${page} or set HF_TOKEN to a token ` +
        `with access`,
      { ...init, code: "unauthorized" },
    );
  }
  if (status === 429) {
    return new HubError(
      `Cannot ${context.what}: rate limited (${where}); wait a minute or set HF_TOKEN ` +
        `(signed-in users get higher limits)`,
      { ...init, code: "rate_limited" },
    );
  }
  const code = status >= 500 ? "server" : "http";
  const advice = status >= 500 ? "the hub is having trouble; try again later" : "see the message";
  return new HubError(`Cannot ${context.what}: ${where}${said}; ${advice}`, { ...init, code });
}

/** The `error` field of a JSON error body, or a short text body; never throws. */
async function bodyMessage(response: Response): Promise<string | undefined> {
  try {
    const text = (await response.text()).slice(0, 1000);
    if (!text) return undefined;
    try {
      const json = JSON.parse(text);
      return typeof json?.error === "string" ? json.error : undefined;
    } catch {
      return text.length <= 200 ? text : undefined;
    }
  } catch {
    return undefined;
  }
}

/**
 * GETs JSON from the hub with retries.
 *
 * @throws {HubError} On failure; `code: "protocol"` when the body is not JSON.
 */
export async function fetchJson<T>(
  url: string,
  options: HubOptions,
  context: RequestContext,
  signal?: AbortSignal,
): Promise<{ value: T; response: Response }> {
  const response = await hubFetch(
    url,
    { headers: { Accept: "application/json" }, signal },
    options,
    context,
  );
  try {
    return { value: await response.json() as T, response };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (options.signal?.aborted) throw options.signal.reason;
    if (!(error instanceof SyntaxError)) throw networkError(error, url, context);
    throw new HubError(`Cannot ${context.what}: ${url} did not return JSON; check HF_ENDPOINT`, {
      code: "protocol",
      status: response.status,
      url,
      cause: error,
    });
  }
}

/**
 * The `next` URL of a `Link` header (RFC 8288), as the hub sends for pagination.
 *
 * @returns The URL, or null when there is no next page.
 */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(",")) {
    const match = part.match(/<([^>]*)>\s*;(.*)/);
    if (match && /\brel\s*=\s*"?next"?/.test(match[2])) return match[1];
  }
  return null;
}
