/**
 * Errors of remote providers (OpenAI-compatible servers Hearth sends chats to). Each
 * names the provider and never the API key: messages from upstream are passed through
 * {@link redactKey} before they reach an error. server/error_table.ts maps each class
 * to a status and an error type.
 *
 * @module
 */

/** The base of every provider error: carries the provider's name. */
export class ProviderError extends Error {
  /** The provider's name, as configured (e.g. "openrouter"). */
  readonly provider: string;

  /**
   * Creates the error.
   *
   * @param provider The provider's name.
   * @param message What failed and what to do.
   */
  constructor(provider: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProviderError";
    this.provider = provider;
  }
}

/** Thrown when a chat or command names a provider that is not configured. */
export class ProviderNotFoundError extends ProviderError {
  /** Creates the error for the unknown provider `provider`. */
  constructor(provider: string, options?: ErrorOptions) {
    super(
      provider,
      `No provider "${provider}": add it with "hearth providers add ${provider} --base-url URL"`,
      options,
    );
    this.name = "ProviderNotFoundError";
  }
}

/** Thrown when the provider refuses the API key (HTTP 401 or 403), or none is set. */
export class ProviderAuthError extends ProviderError {
  /** The upstream HTTP status (401 or 403), or 0 when no key was found to send. */
  readonly status: number;

  /** Creates the error; `detail` is the upstream message, already redacted. */
  constructor(provider: string, status: number, detail: string, options?: ErrorOptions) {
    super(
      provider,
      `Provider "${provider}" refused the API key (HTTP ${status}): ${detail}; ` +
        `set a valid key in Settings > Providers or with "hearth providers add"`,
      options,
    );
    this.name = "ProviderAuthError";
    this.status = status;
  }
}

/** Thrown when the provider does not know the model asked for (HTTP 404). */
export class ProviderModelNotFoundError extends ProviderError {
  /** The model id that was asked for. */
  readonly model: string;

  /** Creates the error for `model` at `provider`. */
  constructor(provider: string, model: string, detail: string, options?: ErrorOptions) {
    super(
      provider,
      `Provider "${provider}" has no model "${model}": ${detail}; ` +
        `"hearth providers test ${provider}" lists its models`,
      options,
    );
    this.name = "ProviderModelNotFoundError";
    this.model = model;
  }
}

/** Thrown when the provider rate-limits (HTTP 429) after the retries ran out. */
export class ProviderRateLimitError extends ProviderError {
  /** How long the provider asked to wait (`Retry-After`), in milliseconds; undefined if it did not say. */
  readonly retryAfterMs: number | undefined;

  /** Creates the error. */
  constructor(
    provider: string,
    retryAfterMs: number | undefined,
    detail: string,
    options?: ErrorOptions,
  ) {
    const wait = retryAfterMs === undefined
      ? "try again later"
      : `try again in ${Math.ceil(retryAfterMs / 1000)} s`;
    super(
      provider,
      `Provider "${provider}" is rate limiting (HTTP 429): ${detail}; ${wait}`,
      options,
    );
    this.name = "ProviderRateLimitError";
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Thrown when the provider fails on its side (HTTP 5xx or an unexpected status), drops a
 * stream mid-reply, or cannot be reached (connection refused, a timeout).
 */
export class ProviderUpstreamError extends ProviderError {
  /** The upstream HTTP status; 0 when no response came (connection error, timeout, dropped stream). */
  readonly status: number;

  /** Creates the error; `message` is complete (it names the provider). */
  constructor(provider: string, status: number, message: string, options?: ErrorOptions) {
    super(provider, message, options);
    this.name = "ProviderUpstreamError";
    this.status = status;
  }
}

/**
 * Replaces every occurrence of `key` in `text` with "***": upstream error bodies may echo
 * the key they refused, and no message Hearth shows or logs may carry it.
 */
export function redactKey(text: string, key: string | undefined): string {
  if (!key) return text;
  return text.split(key).join("***");
}
