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
import type { Sampling, Settings, Theme, WindowGeometry } from "./types.ts";

/**
 * A change to the settings. `sampling` is merged key by key into the current defaults;
 * `model_folders` replaces the folder list; `window: null` forgets the geometry.
 */
export type SettingsPatch = Partial<Omit<Settings, "sampling" | "window">> & {
  /** Sampling defaults to change; the others keep their values. */
  sampling?: Sampling;
  /** Window geometry; null removes it. */
  window?: WindowGeometry | null;
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
  system_prompt: "",
});

const THEMES: readonly Theme[] = ["light", "dark", "system"];

/** The checks of each stored key; a value that fails (a hand-edited file) reads as unset. */
const CHECKS = {
  default_model: (value: unknown) => checkStringOrNull(value, "default_model"),
  theme: (value: unknown) => checkOneOf(value, "theme", THEMES),
  sampling: (value: unknown) => checkSampling(value, "sampling"),
  n_ctx: (value: unknown) => checkInteger(value, "n_ctx", 1, 2 ** 31 - 1),
  system_prompt: (value: unknown) => checkString(value, "system_prompt"),
  window: checkWindow,
};
const PATCH_KEYS = [...Object.keys(CHECKS), "model_folders"];

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
      const check = CHECKS[key as keyof typeof CHECKS];
      if (!check) continue; // a key of a newer version or a removed one
      try {
        const parsed = check(JSON.parse(String(row.value)));
        if (key === "sampling") Object.assign(settings.sampling, parsed);
        else Object.assign(settings, { [key]: parsed });
      } catch {
        // An invalid stored value reads as the default rather than breaking startup.
      }
    }
    return settings;
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
      const value = fields[key];
      if (value === undefined) continue;
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
        if (value === null && key === "window") {
          this.#ctx.sql.get("DELETE FROM settings WHERE key = ?").run(key);
          continue;
        }
        const stored = key === "sampling" ? { ...current.sampling, ...value as Sampling } : value;
        this.#ctx.sql.get(
          "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value",
        ).run(key, JSON.stringify(stored));
      }
      if (folders) this.#folders.set(folders);
      return this.get();
    });
  }
}
