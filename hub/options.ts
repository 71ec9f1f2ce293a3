/**
 * How every hub call reaches the Hugging Face hub. Configuration is passed in: config/config.ts
 * is the one place that reads `HF_ENDPOINT` and `HF_TOKEN`.
 *
 * @module
 */

/** The public Hugging Face hub, used when `HF_ENDPOINT` is unset. */
export const DEFAULT_ENDPOINT = "https://huggingface.co";

/** Where and how to reach the hub; shared by every function of this layer. */
export interface HubOptions {
  /**
   * Base URL of the hub, without a trailing slash (`HF_ENDPOINT`); mirrors and tests
   * point it elsewhere. Use {@link DEFAULT_ENDPOINT} for the public hub.
   */
  endpoint: string;
  /**
   * Access token (`HF_TOKEN`), sent as `Authorization: Bearer <token>`; needed for
   * gated and private repositories. Never logged.
   */
  token?: string;
  /** The fetch to use, e.g. for a proxy or a test double. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Aborts every request made with these options; the call rejects with `signal.reason`. */
  signal?: AbortSignal;
}
