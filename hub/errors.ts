/**
 * Errors that callers of the hub layer catch. Wrong shapes (a malformed repo id) are
 * `TypeError`, an unreadable GGUF header is `SyntaxError`, as in Deno std; the classes
 * here are for conditions the server and UI handle on purpose.
 *
 * @module
 */

/**
 * What went wrong, for callers that react differently (ask for a token, show "not
 * found", offer a retry):
 * - `"not_found"`: no such repository, revision or file (HTTP 404, or 401 with
 *   `X-Error-Code: RepoNotFound`, which the hub sends to anonymous callers).
 * - `"unauthorized"`: gated or private, and the token is missing or lacks access (401/403).
 * - `"rate_limited"`: HTTP 429 after every retry.
 * - `"server"`: HTTP 5xx after every retry.
 * - `"network"`: the connection failed or stalled after every retry (`status` is 0).
 * - `"integrity"`: the downloaded bytes do not match the published hash or size
 *   (`status` is 0); the partial file was deleted.
 * - `"protocol"`: the server answered in a shape this layer does not understand.
 * - `"http"`: any other HTTP error status.
 */
export type HubErrorCode =
  | "not_found"
  | "unauthorized"
  | "rate_limited"
  | "server"
  | "network"
  | "integrity"
  | "protocol"
  | "http";

/** The fields of a {@link HubError} besides its message. */
export interface HubErrorInit extends ErrorOptions {
  /** What went wrong. */
  code: HubErrorCode;
  /** HTTP status; 0 when no HTTP status applies (network failure, hash mismatch). */
  status: number;
  /** The URL that failed. */
  url: string;
  /** The hub's `X-Request-Id` for support requests, when it sent one. */
  requestId?: string;
  /** How long the server asked us to wait (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
}

/** Thrown when a hub request fails or a download does not verify. */
export class HubError extends Error {
  /** What went wrong. */
  readonly code: HubErrorCode;
  /** HTTP status; 0 when no HTTP status applies (network failure, hash mismatch). */
  readonly status: number;
  /** The URL that failed. */
  readonly url: string;
  /** The hub's `X-Request-Id`, when it sent one. */
  readonly requestId: string | undefined;
  /** `Retry-After` in milliseconds, when the server sent one. */
  readonly retryAfterMs: number | undefined;

  /**
   * Creates the error.
   *
   * @param message What was attempted and why it failed, with what to do next.
   * @param init Code, status, URL and request id.
   */
  constructor(message: string, init: HubErrorInit) {
    super(message, init);
    this.name = "HubError";
    this.code = init.code;
    this.status = init.status;
    this.url = init.url;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** True for failures that may pass on retry: network, 5xx and 429. */
  get retryable(): boolean {
    return this.code === "network" || this.code === "server" || this.code === "rate_limited";
  }
}

/** Thrown before a download starts when its file will not fit on the disk. */
export class DiskSpaceError extends Error {
  /** The directory the file would be written to. */
  readonly dir: string;
  /** Bytes still to download. */
  readonly neededBytes: number;
  /** Bytes free for this user on that file system. */
  readonly availableBytes: number;

  /**
   * Creates the error.
   *
   * @param dir The directory the file would be written to.
   * @param neededBytes Bytes still to download.
   * @param availableBytes Bytes free there.
   */
  constructor(dir: string, neededBytes: number, availableBytes: number, options?: ErrorOptions) {
    super(
      `Cannot download into "${dir}": ${formatBytes(neededBytes)} needed but only ` +
        `${formatBytes(availableBytes)} free; free some space or point HF_HUB_CACHE elsewhere`,
      options,
    );
    this.name = "DiskSpaceError";
    this.dir = dir;
    this.neededBytes = neededBytes;
    this.availableBytes = availableBytes;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 ** 2) return `${bytes} bytes`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
