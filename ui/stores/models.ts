/**
 * The model files the app knows (the library: `GET /api/models`), the model in memory, a
 * load in progress and why the last load failed.
 *
 * @module
 */
import { computed, createModel, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { AppState, LibraryEntry, LoadedModel, LoadError, Loading } from "../../api/types.ts";
import type { SettingsStore } from "./settings.ts";
import type { Toasts } from "./toasts.ts";

/**
 * The models store. Loading a model from the picker also makes it the default model: the
 * server answers a chat without its own model with the default one (reloading if needed), so
 * "the model I loaded is the one I chat with" (LM Studio's behaviour) needs both.
 *
 * A load ends with a `model` event or a `load_error` event, then `loading: null`; a failure
 * stays in `loadError` (shown once as a toast) until the next load starts.
 */
export const ModelsModel = createModel((api: Api, toasts: Toasts, settings: SettingsStore) => {
  const list = signal<readonly LibraryEntry[]>([]);
  const loaded = signal<LoadedModel | null>(null);
  const loading = signal<Loading | null>(null);
  const loadError = signal<LoadError | null>(null);
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
  /** Ends a load as failed; the same failure seen twice (event and state) toasts once. */
  const onLoadError = (error: LoadError | null) => {
    const shown = loadError.value;
    loadError.value = error;
    if (error) loading.value = null;
    if (error && (shown?.path !== error.path || shown.message !== error.message)) {
      toasts.show({ text: error.message, kind: "error" });
    }
  };
  const applyState = (state: Pick<AppState, "loaded" | "loading" | "load_error">) => {
    loaded.value = state.loaded;
    loading.value = state.loading;
    onLoadError(state.load_error);
  };
  const onModel = (model: LoadedModel | null) => {
    loaded.value = model;
    loading.value = null;
  };
  const onLoading = (progress: Loading | null) => {
    loading.value = progress;
    if (progress) loadError.value = null;
  };
  const load = async (path: string, nCtx?: number) => {
    onLoading({ path, progress: 0 });
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
  /** Runs a LoRA change; the answer is the loaded model with its new adapter list. */
  const lora = async (change: () => Promise<LoadedModel>): Promise<boolean> => {
    try {
      loaded.value = await change();
      return true;
    } catch (error) {
      toasts.error(error);
      return false;
    }
  };
  /** Adds a LoRA adapter file to the loaded model at scale 1; the next reply uses it. */
  const addLora = (path: string) => lora(() => api.addLora(path));
  /** Sets an adapter's scale (0 = off) for the next reply. */
  const setLoraScale = (id: number, scale: number) => lora(() => api.setLoraScale(id, scale));
  /** Takes an adapter off the model. */
  const removeLora = (id: number) => lora(() => api.removeLora(id));
  return {
    list,
    loaded,
    addLora,
    setLoraScale,
    removeLora,
    loading,
    loadError,
    loadedName,
    refresh,
    applyState,
    onModel,
    onLoading,
    onLoadError,
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
