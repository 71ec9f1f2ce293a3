/**
 * App settings (theme, default sampling, n_ctx, model folders), saved on every change.
 *
 * @module
 */
import { computed, createModel, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { Settings } from "../../api/types.ts";
import type { Toasts } from "./toasts.ts";

/** The settings store: `settings` (null until loaded), `theme`, `set`, `update`. */
export const SettingsModel = createModel((api: Api, toasts: Toasts) => {
  const settings = signal<Settings | null>(null);
  const theme = computed(() => settings.value?.theme ?? "system");
  const set = (value: Settings) => {
    settings.value = value;
  };
  /** Applies `patch` at once (the UI reacts without waiting) and rolls back if saving fails. */
  const update = async (patch: Partial<Settings>) => {
    const before = settings.value;
    if (before) settings.value = { ...before, ...patch };
    try {
      settings.value = await api.patchSettings(patch);
    } catch (error) {
      settings.value = before;
      toasts.error(error);
    }
  };
  return { settings, theme, set, update };
});

/** An instance of {@link SettingsModel}. */
export type SettingsStore = InstanceType<typeof SettingsModel>;
