/**
 * The configured providers: their settings in `providers.json` in the config folder (no
 * keys), their keys in the {@link KeyStore} or a named environment variable, and one
 * {@link RemoteBackend} each. Chats and commands name a provider's model as
 * `provider:model` ("openrouter:meta-llama/llama-3.1-8b-instruct"); {@link
 * ProviderRegistry.resolve} splits that.
 *
 * The files are read again on every call, so a provider added with `hearth providers
 * add` shows in a running app.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { ProviderNotFoundError } from "./errors.ts";
import { KeyStore } from "./key_store.ts";
import { isPresetId, type PresetId, PRESETS } from "./presets.ts";
import { RemoteBackend, type RemoteBackendOptions } from "./remote_backend.ts";

/** The settings file's name in the config folder. */
export const PROVIDERS_FILE = "providers.json";

/** Provider names: what may stand before the colon of `provider:model`. */
const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** One provider's settings, as stored (wire spelling); never its key. */
export interface ProviderConfig {
  /** Lower-case letters, digits, `-` and `_`, at most 32; not "local". */
  name: string;
  /** Which preset it came from. */
  preset: PresetId;
  /** The OpenAI-compatible base URL, usually ending in `/v1`. */
  base_url: string;
  /** The environment variable to read the key from, when no key is saved; null = none. */
  api_key_env: string | null;
  /** Requests open at once, 1..32. */
  concurrency: number;
}

/** A provider as the UI and `providers list` see it: whether a key is set, never the key. */
export interface ProviderInfo extends ProviderConfig {
  /** Where the key comes from: the key file, the environment variable, or none. */
  key_source: "file" | "env" | null;
}

/** How a new or changed provider is given. */
export interface ProviderInput {
  name: string;
  preset?: PresetId;
  /** Required for "custom"; default the preset's. */
  base_url?: string;
  /** Default the preset's variable. */
  api_key_env?: string | null;
  /** @default {5} */
  concurrency?: number;
  /** A key to save (write-only); "" removes the saved one; undefined keeps it. */
  api_key?: string;
}

/** What {@link ProviderRegistry} is built from. */
export interface ProviderRegistryOptions {
  /** The config folder: `providers.json` and the key file live there. */
  configDir: string;
  /** Reads an environment variable (for `api_key_env`). */
  env: (name: string) => string | undefined;
  /** Timeouts and retries for every provider's backend (tests shorten them). */
  backend?: Partial<Omit<RemoteBackendOptions, "name" | "baseUrl" | "apiKey" | "concurrency">>;
}

/** The providers and their backends. */
export class ProviderRegistry {
  readonly #path: string;
  readonly #keys: KeyStore;
  readonly #options: ProviderRegistryOptions;
  readonly #backends = new Map<string, { signature: string; backend: RemoteBackend }>();

  /** Reads nothing yet; the files may not exist. */
  constructor(options: ProviderRegistryOptions) {
    this.#options = options;
    this.#path = join(options.configDir, PROVIDERS_FILE);
    this.#keys = new KeyStore(options.configDir);
  }

  /** Every provider, by name. */
  list(): ProviderInfo[] {
    return this.#read().map((config) => this.#info(config));
  }

  /** One provider. @throws {ProviderNotFoundError} when there is none of that name. */
  get(name: string): ProviderInfo {
    const config = this.#read().find((p) => p.name === name);
    if (!config) throw new ProviderNotFoundError(name);
    return this.#info(config);
  }

  /** Whether a provider of that name exists. */
  has(name: string): boolean {
    return this.#read().some((p) => p.name === name);
  }

  /**
   * Adds a provider or changes one (fields not given keep their values); saves the key
   * when one is given.
   *
   * @throws {RangeError} for a bad name, base URL or concurrency.
   */
  save(input: ProviderInput): ProviderInfo {
    const providers = this.#read();
    const old = providers.find((p) => p.name === input.name);
    const config = checkConfig(input, old);
    const next = [...providers.filter((p) => p.name !== config.name), config]
      .sort((a, b) => a.name.localeCompare(b.name));
    this.#write(next);
    if (input.api_key !== undefined) this.#keys.set(config.name, input.api_key);
    return this.#info(config);
  }

  /** Removes a provider and its saved key; false when there was none. */
  remove(name: string): boolean {
    const providers = this.#read();
    if (!providers.some((p) => p.name === name)) return false;
    this.#write(providers.filter((p) => p.name !== name));
    this.#keys.delete(name);
    this.#backends.delete(name);
    return true;
  }

  /**
   * Splits `provider:model` when `provider` is configured; null otherwise (a local model
   * path, which may itself hold a colon).
   */
  resolve(model: string): { provider: string; model: string } | null {
    const colon = model.indexOf(":");
    if (colon <= 0) return null;
    const provider = model.slice(0, colon);
    if (!NAME.test(provider) || !this.has(provider)) return null;
    return { provider, model: model.slice(colon + 1) };
  }

  /** The provider's backend, made again when its settings changed. @throws {ProviderNotFoundError} */
  backend(name: string): RemoteBackend {
    const info = this.get(name);
    const signature = JSON.stringify([info.base_url, info.concurrency]);
    const cached = this.#backends.get(name);
    if (cached?.signature === signature) return cached.backend;
    const backend = new RemoteBackend({
      ...this.#options.backend,
      name,
      baseUrl: info.base_url,
      concurrency: info.concurrency,
      // Read at each call: a changed key or variable applies at once.
      apiKey: () => this.#key(name),
    });
    this.#backends.set(name, { signature, backend });
    return backend;
  }

  /**
   * Lists the provider's models and times it: the round-trip time of `GET /models`
   * in milliseconds, and the model ids (empty when it has no such route).
   *
   * @throws {ProviderError} subclasses when the provider refuses or cannot be reached.
   */
  async test(name: string, signal?: AbortSignal): Promise<{ rtt_ms: number; models: string[] }> {
    const backend = this.backend(name);
    const started = performance.now();
    const models = await backend.models(signal);
    return { rtt_ms: Math.round(performance.now() - started), models };
  }

  #key(name: string): string | undefined {
    const saved = this.#keys.get(name);
    if (saved) return saved;
    const variable = this.#read().find((p) => p.name === name)?.api_key_env;
    return variable ? this.#options.env(variable) || undefined : undefined;
  }

  #info(config: ProviderConfig): ProviderInfo {
    const source = this.#keys.get(config.name)
      ? "file"
      : config.api_key_env && this.#options.env(config.api_key_env)
      ? "env"
      : null;
    return { ...config, key_source: source };
  }

  #read(): ProviderConfig[] {
    let text: string;
    try {
      text = Deno.readTextFileSync(this.#path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    const value = JSON.parse(text);
    if (!Array.isArray(value?.providers)) {
      throw new SyntaxError(
        `Cannot read providers from ${this.#path}: expected {"providers": [...]}; fix or delete the file`,
      );
    }
    return value.providers as ProviderConfig[];
  }

  #write(providers: ProviderConfig[]): void {
    Deno.mkdirSync(dirname(this.#path), { recursive: true });
    const temp = `${this.#path}.tmp`;
    Deno.writeTextFileSync(temp, JSON.stringify({ providers }, null, 2) + "\n");
    Deno.renameSync(temp, this.#path);
  }
}

/** Validates a provider's settings, filling in the preset's and the old ones. */
function checkConfig(input: ProviderInput, old: ProviderConfig | undefined): ProviderConfig {
  const name = input.name;
  if (!NAME.test(name) || name === "local") {
    throw new RangeError(
      `Cannot name a provider "${name}": use up to 32 lower-case letters, digits, "-" and "_", not "local"`,
    );
  }
  const preset = input.preset ?? old?.preset ?? "custom";
  if (!isPresetId(preset)) {
    throw new RangeError(
      `Cannot use preset "${preset}": expected one of ${Object.keys(PRESETS).join(", ")}`,
    );
  }
  const baseUrl = (input.base_url ?? old?.base_url ?? PRESETS[preset].baseUrl).replace(/\/+$/, "");
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new RangeError(
      `Cannot use base URL "${baseUrl}" for provider "${name}": give an http(s) URL such as http://127.0.0.1:8080/v1`,
    );
  }
  const concurrency = input.concurrency ?? old?.concurrency ?? 5;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw new RangeError(
      `Cannot set concurrency ${concurrency} for provider "${name}": expected an integer in 1..32`,
    );
  }
  const env = input.api_key_env !== undefined
    ? input.api_key_env
    : old?.api_key_env ?? (PRESETS[preset].apiKeyEnv || null);
  if (env !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) {
    throw new RangeError(`Cannot read a key from variable "${env}": not a variable name`);
  }
  return { name, preset, base_url: baseUrl, api_key_env: env || null, concurrency };
}
