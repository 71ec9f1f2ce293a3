/**
 * The load options of the loaded model's file as the Models dialog edits them: read when the
 * loaded model changes, saved on every change (applied at the next load), and Reload.
 *
 * @module
 */
import { computed, createModel, effect, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { DeviceChoice, LibraryEntry, ModelLoadOptions } from "../../api/types.ts";
import type { ModelsStore } from "./models.ts";
import type { Toasts } from "./toasts.ts";

/** The model options store. */
export const ModelOptionsModel = createModel((api: Api, toasts: Toasts, models: ModelsStore) => {
  /** The loaded file's saved options; null until read (or when nothing is loaded). */
  const options = signal<ModelLoadOptions | null>(null);
  /** The options the loaded model was loaded with (to tell whether a reload is due). */
  const loadedWith = signal<string | null>(null);
  /** The device kinds the `variant` option offers here; read once, with the first model. */
  const devices = signal<readonly DeviceChoice[]>([]);
  let path: string | null = null;
  effect(() => {
    const loaded = models.loaded.value?.path ?? null;
    if (loaded === path) return;
    path = loaded;
    options.value = null;
    if (!loaded) return;
    if (devices.value.length === 0) {
      api.modelDevices().then((answer) => devices.value = answer.devices).catch(toasts.error);
    }
    api.modelOptions(loaded).then((answer) => {
      if (answer.path !== path) return;
      options.value = answer.options;
      loadedWith.value = JSON.stringify(answer.options);
    }).catch(toasts.error);
  });
  /** Changes some options (undefined: back to the default) and saves them. */
  const update = async (patch: Partial<ModelLoadOptions>) => {
    const target = path;
    if (!target || !options.value) return;
    const next = { ...options.value, ...patch };
    for (const key of Object.keys(next) as (keyof ModelLoadOptions)[]) {
      if (next[key] === undefined) delete next[key];
    }
    options.value = next;
    try {
      const saved = await api.setModelOptions(target, next);
      if (path === target) options.value = saved.options;
    } catch (error) {
      toasts.error(error);
    }
  };
  /** Library models that may draft for the loaded one (same vocabulary is checked at load). */
  const draftCandidates = computed((): readonly LibraryEntry[] => {
    const loaded = models.loaded.value?.path;
    return models.list.value.filter((m) =>
      m.kind === "model" && !m.broken_reason && m.path !== loaded
    );
  });
  /** Loads the model again with its saved options. */
  const reload = async () => {
    if (!path) return;
    const target = path;
    await models.load(target);
    if (path === target) loadedWith.value = JSON.stringify(options.value);
  };
  return { options, loadedWith, devices, draftCandidates, update, reload };
});

/** An instance of {@link ModelOptionsModel}. */
export type ModelOptionsStore = InstanceType<typeof ModelOptionsModel>;
