/**
 * The Hugging Face access token the app downloads and browses with: one typed in Settings
 * (kept as provider keys are, in a 0600 file in the data folder, never in the database and
 * never sent back to the UI), else `HF_TOKEN` from the environment.
 *
 * @module
 */
import type { HubOptions } from "../hub/mod.ts";
import { KeyStore } from "./providers/key_store.ts";

/** The token file's name in the data folder. */
export const HUB_TOKEN_FILE = "hub_token.json";

/** Longest token accepted, in characters (Hugging Face tokens are about 40). */
const MAX_TOKEN_CHARS = 512;

/** Where the token in use comes from: Settings, the environment, or none. */
export type HubTokenSource = "settings" | "env" | null;

/** The stored token and the environment's, and hub options that always use the current one. */
export class HubToken {
  readonly #store: KeyStore;
  readonly #env: string | undefined;

  /**
   * @param dataDir the folder of the token file
   * @param envToken `HF_TOKEN`, if set
   */
  constructor(dataDir: string, envToken: string | undefined) {
    this.#store = new KeyStore(dataDir, HUB_TOKEN_FILE);
    this.#env = envToken || undefined;
  }

  /** The token in use: Settings' one, else the environment's; undefined when none. */
  get token(): string | undefined {
    return this.#store.get("token") ?? this.#env;
  }

  /** Where {@link token} comes from. */
  get source(): HubTokenSource {
    return this.#store.get("token") ? "settings" : this.#env ? "env" : null;
  }

  /**
   * Saves a token typed in Settings; null or "" forgets it (the environment's applies again).
   *
   * @throws {TypeError} for a token with spaces or characters other than printable ASCII, or
   * longer than 512.
   */
  set(token: string | null): void {
    const value = token?.trim() ?? "";
    // Printable ASCII only: a token goes into an HTTP header.
    if (value.length > MAX_TOKEN_CHARS || !/^[!-~]*$/.test(value)) {
      throw new TypeError(
        "A Hugging Face token is one word without spaces (it starts with hf_), at most 512 characters",
      );
    }
    this.#store.set("token", value);
  }

  /**
   * Hub options whose `token` is read at each request, so a token saved in Settings applies
   * to the next search or download without a restart.
   *
   * @param endpoint the hub's base URL
   */
  options(endpoint: string): HubOptions {
    // deno-lint-ignore no-this-alias
    const self = this;
    return {
      endpoint,
      get token() {
        return self.token;
      },
    };
  }
}
