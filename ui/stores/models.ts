/**
 * The model files the app knows (the library: `GET /api/models`), the model in memory and a
 * load in progress.
 *
 * @module
 */
import { computed, createModel, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { AppState, LibraryEntry, LoadedModel, Loading } from "../types.ts";
import type { SettingsStore } from "./settings.ts";
import type { Toasts } from "./toasts.ts";

/**
 * The models store. Loading a model from the picker also makes it the default model: the
 * server answers a chat without its own model with the default one (reloading if needed), so
 * "the model I loaded is the one I chat with" (LM Studio's behaviour) needs both.
 */
export const ModelsModel = createModel((api: Api, toasts: Toasts, settings: SettingsStore) => {
  const list = signal<readonly LibraryEntry[]>([]);
  const loaded = signal<LoadedModel | null>(null);
  const loading = signal<Loading | null>(null);
  /** Display name of the loaded model: its list entry's name, else the file name. */
  const loadedName = computed(() => {
    const model = loaded.value;
    if (!model) return null;
    return list.value.find((m) => m.path === model.path)?.name ?? baseName(model.path);
  });
  let inFlight: Promise<void> | null = null;
  let again = false;
  const fetchList = async () => {
    try {
      do {
        again = false;
        list.value = (await api.listModels()).models;
      } while (again);
    } catch (error) {
      toasts.error(error);
    } finally {
      inFlight = null;
    }
  };
  /**
   * Fetches the list. Calls while a fetch runs (a burst of `library` events during a scan)
   * share it and cause one more fetch after it, so the last answer is never stale.
   */
  const refresh = (): Promise<void> => {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    return inFlight = fetchList();
  };
  const applyState = (state: Pick<AppState, "loaded" | "loading">) => {
    loaded.value = state.loaded;
    loading.value = state.loading;
  };
  // A `model` event ends a load, whether it succeeded (the model) or not (null).
  const onModel = (model: LoadedModel | null) => applyState({ loaded: model, loading: null });
  const onLoading = (progress: Loading) => {
    loading.value = progress;
  };
  const load = async (path: string, nCtx?: number) => {
    loading.value = { path, progress: 0 };
    try {
      await api.loadModel(path, nCtx);
      if (settings.settings.value?.default_model !== path) {
        await settings.update({ default_model: path });
      }
    } catch (error) {
      loading.value = null;
      toasts.error(error);
    }
  };
  const unload = async () => {
    try {
      await api.unloadModel();
      loaded.value = null;
    } catch (error) {
      toasts.error(error);
    }
  };
  return {
    list,
    loaded,
    loading,
    loadedName,
    refresh,
    applyState,
    onModel,
    onLoading,
    load,
    unload,
  };
});

/** An instance of {@link ModelsModel}. */
export type ModelsStore = InstanceType<typeof ModelsModel>;

/** The last path segment without `.gguf`: a readable name for a model path. */
export function baseName(path: string): string {
  return (path.split(/[\\/]/).pop() ?? path).replace(/\.gguf$/i, "");
}
