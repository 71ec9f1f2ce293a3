/**
 * App-wide settings: a key/value table of JSON values over built-in defaults.
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";
import {
  checkInteger,
  checkKeys,
  checkNumber,
  checkObject,
  checkOneOf,
  checkSampling,
  checkString,
  checkStringOrNull,
} from "./_validate.ts";
import type { ModelFolderStore } from "./model_folders.ts";
import { transaction } from "./transaction.ts";
import type { OpenAiServerSettings, Sampling, Settings, Theme, WindowGeometry } from "./types.ts";

/**
 * A change to the OpenAI server settings; fields left out keep their values.
 * `api_key_set` is read-only: a patch may carry it (a `Settings` sent back) and it is
 * ignored.
 */
export type OpenAiServerPatch = Partial<OpenAiServerSettings> & {
  /** The key clients must send as `Authorization: Bearer`; "" or null removes it. */
  api_key?: string | null;
};

/**
 * A change to the settings. `sampling` and `openai_server` are merged key by key into
 * the current values; `model_folders` replaces the folder list; `window: null` forgets
 * the geometry.
 */
export type SettingsPatch = Partial<Omit<Settings, "sampling" | "window" | "openai_server">> & {
  /** Sampling defaults to change; the others keep their values. */
  sampling?: Sampling;
  /** Window geometry; null removes it. */
  window?: WindowGeometry | null;
  /** OpenAI server settings to change, and its API key. */
  openai_server?: OpenAiServerPatch;
};

/** The settings of a fresh install. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  default_model: null,
  model_folders: [],
  theme: "system",
  sampling: Object.freeze({
    temperature: 0.8,
    top_p: 0.95,
    top_k: 40,
    min_p: 0.05,
    repeat_penalty: 1.0,
    max_tokens: -1,
    seed: -1,
  }),
  n_ctx: 2048,
  n_parallel: 4,
  system_prompt: "",
  openai_server: Object.freeze({
    enabled: false,
    port: 8080,
    n_parallel: 2,
    n_ctx: 4096,
    all_interfaces: false,
    api_key_set: false,
  }),
});

/**
 * The settings row holding the OpenAI server's API key. It is kept out of
 * {@link Settings} (which the UI reads) so the key never leaves the process once set.
 */
const API_KEY_ROW = "openai_server_api_key";

/** What the `openai_server` row stores: everything but the key and its flag. */
type StoredOpenAiServer = Omit<OpenAiServerSettings, "api_key_set">;

const THEMES: readonly Theme[] = ["light", "dark", "system"];

/** The checks of each stored key; a value that fails (a hand-edited file) reads as unset. */
const CHECKS = {
  default_model: (value: unknown) => checkStringOrNull(value, "default_model"),
  theme: (value: unknown) => checkOneOf(value, "theme", THEMES),
  sampling: (value: unknown) => checkSampling(value, "sampling"),
  n_ctx: (value: unknown) => checkInteger(value, "n_ctx", 1, 2 ** 31 - 1),
  n_parallel: (value: unknown) => checkInteger(value, "n_parallel", 1, 256),
  system_prompt: (value: unknown) => checkString(value, "system_prompt"),
  window: checkWindow,
  openai_server: checkOpenAiServer,
};
const PATCH_KEYS = [...Object.keys(CHECKS), "model_folders"];

const OPENAI_SERVER_CHECKS: Record<keyof StoredOpenAiServer, (v: unknown, f: string) => unknown> = {
  enabled: checkBoolean,
  port: (v, f) => checkInteger(v, f, 0, 65535),
  n_parallel: (v, f) => checkInteger(v, f, 1, 256),
  // 2^24 tokens is far beyond any model; it keeps n_parallel x n_ctx a safe int32.
  n_ctx: (v, f) => checkInteger(v, f, 0, 2 ** 24),
  all_interfaces: checkBoolean,
};

/** Checks a (partial) `openai_server` object; `api_key_set` is ignored, `api_key` refused. */
function checkOpenAiServer(value: unknown): Partial<StoredOpenAiServer> {
  const object = checkObject(value, "openai_server");
  const { api_key_set: _readOnly, ...fields } = object;
  checkKeys(fields, "openai_server", Object.keys(OPENAI_SERVER_CHECKS));
  const checked: Record<string, unknown> = {};
  for (const [key, check] of Object.entries(OPENAI_SERVER_CHECKS)) {
    if (fields[key] !== undefined) checked[key] = check(fields[key], `openai_server.${key}`);
  }
  return checked as Partial<StoredOpenAiServer>;
}

/**
 * Checks an API key: printable ASCII without spaces (it travels in a header), 1..512
 * characters. Messages never repeat the key.
 */
function checkApiKey(value: unknown): string {
  const field = "openai_server.api_key";
  if (typeof value !== "string") throw new TypeError(`Invalid field "${field}": must be a string`);
  if (!/^[\x21-\x7e]{1,512}$/.test(value)) {
    throw new RangeError(
      `Invalid field "${field}": must be 1..512 printable ASCII characters without spaces`,
    );
  }
  return value;
}

function checkBoolean(value: unknown, field: string): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`Invalid field "${field}": must be true or false`);
  }
  return value;
}

function checkWindow(value: unknown): WindowGeometry {
  const object = checkObject(value, "window");
  checkKeys(object, "window", ["x", "y", "width", "height"]);
  return {
    x: checkNumber(object.x, "window.x"),
    y: checkNumber(object.y, "window.y"),
    width: checkNumber(object.width, "window.width", 1, 2 ** 31),
    height: checkNumber(object.height, "window.height", 1, 2 ** 31),
  };
}

/** The settings of one database. Get it from `Storage.settings`. */
export class SettingsStore {
  readonly #ctx: StoreContext;
  readonly #folders: ModelFolderStore;

  /** @internal Use `Storage.settings`. */
  constructor(ctx: StoreContext, folders: ModelFolderStore) {
    this.#ctx = ctx;
    this.#folders = folders;
  }

  /**
   * Reads the settings: stored values over {@link DEFAULT_SETTINGS}, sampling merged key
   * by key, `model_folders` from the model folder list.
   *
   * @returns A fresh object; changing it changes nothing stored.
   */
  get(): Settings {
    const settings: Settings = structuredClone({
      ...DEFAULT_SETTINGS,
      model_folders: this.#folders.list().map((folder) => folder.path),
    });
    const rows = this.#ctx.sql.get("SELECT key, value FROM settings").all();
    for (const row of rows) {
      const key = String(row.key);
      if (key === API_KEY_ROW) {
        settings.openai_server.api_key_set = true;
        continue;
      }
      const check = CHECKS[key as keyof typeof CHECKS];
      if (!check) continue; // a key of a newer version or a removed one
      try {
        const parsed = check(JSON.parse(String(row.value)));
        if (key === "sampling") Object.assign(settings.sampling, parsed);
        else if (key === "openai_server") Object.assign(settings.openai_server, parsed);
        else Object.assign(settings, { [key]: parsed });
      } catch {
        // An invalid stored value reads as the default rather than breaking startup.
      }
    }
    return settings;
  }

  /**
   * The OpenAI server's API key, or null when none is set. Only the server reads it:
   * never send it to the UI or a log.
   */
  openAiApiKey(): string | null {
    const row = this.#ctx.sql.get("SELECT value FROM settings WHERE key = ?").get(API_KEY_ROW);
    if (!row) return null;
    try {
      return checkApiKey(JSON.parse(String(row.value)));
    } catch {
      return null; // a hand-edited row that is no valid key: as if unset
    }
  }

  /**
   * Changes some settings. Everything is validated first, then written in one
   * transaction.
   *
   * @param patch The settings to change.
   * @returns The settings after the change.
   * @throws {TypeError} On an unknown key or a wrong type (nothing changes).
   * @throws {RangeError} On a value out of range (nothing changes).
   */
  patch(patch: SettingsPatch): Settings {
    const fields = checkObject(patch, "settings");
    checkKeys(fields, "", PATCH_KEYS);
    const writes: [string, unknown][] = [];
    for (const [key, check] of Object.entries(CHECKS)) {
      let value = fields[key];
      if (value === undefined) continue;
      if (key === "openai_server") {
        const { api_key, ...rest } = checkObject(value, "openai_server");
        if (api_key !== undefined) {
          writes.push([
            API_KEY_ROW,
            api_key === null || api_key === "" ? null : checkApiKey(api_key),
          ]);
        }
        value = rest;
      }
      writes.push([key, key === "window" && value === null ? null : check(value)]);
    }
    let folders: string[] | undefined;
    if (fields.model_folders !== undefined) {
      if (!Array.isArray(fields.model_folders)) {
        throw new TypeError('Invalid field "model_folders": must be an array of paths');
      }
      folders = fields.model_folders.map((path, i) => checkString(path, `model_folders[${i}]`));
    }
    return transaction(this.#ctx.db, () => {
      const current = this.get();
      for (const [key, value] of writes) {
        if (value === null && (key === "window" || key === API_KEY_ROW)) {
          this.#ctx.sql.get("DELETE FROM settings WHERE key = ?").run(key);
          continue;
        }
        const stored = merged(current, key, value);
        this.#ctx.sql.get(
          "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value",
        ).run(key, JSON.stringify(stored));
      }
      if (folders) this.#folders.set(folders);
      return this.get();
    });
  }
}

/** The value stored for `key`: sampling and openai_server merge into the current ones. */
function merged(current: Settings, key: string, value: unknown): unknown {
  if (key === "sampling") return { ...current.sampling, ...value as Sampling };
  if (key !== "openai_server") return value;
  const { api_key_set: _flag, ...stored } = current.openai_server;
  return { ...stored, ...value as Partial<StoredOpenAiServer> };
}
