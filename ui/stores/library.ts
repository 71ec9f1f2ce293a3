/**
 * The model browser's local side: filters over the library list (kept by the models store),
 * memory-fit estimates at the settings' n_ctx, and the file actions (verify, reveal in the
 * file manager, delete). The `library` event keeps it current.
 *
 * @module
 */
import { computed, createModel, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { LibraryChange, LibraryEntry, LibrarySource, VerifyResult } from "../../api/types.ts";
import { createFitCache } from "./_fit_cache.ts";
import type { ModelsStore } from "./models.ts";
import type { SettingsStore } from "./settings.ts";
import type { Toasts } from "./toasts.ts";

export { fitKey, type FitState } from "./_fit_cache.ts";

/** n_ctx of fit estimates until the settings arrive (the settings' own default). */
const DEFAULT_N_CTX = 4096;

/** A verification: running, its answer, or the error message. */
export type VerifyState =
  | { status: "running" }
  | { status: "error"; message: string }
  | (
    & { status: "done" }
    & VerifyResult
  );

/** A chat model: a runnable model file that passed validation. */
export function isChatModel(entry: LibraryEntry): boolean {
  return entry.kind === "model" && !entry.broken_reason;
}

/** The library store. */
export const LibraryModel = createModel(
  (api: Api, toasts: Toasts, models: ModelsStore, settings: SettingsStore) => {
    const query = signal("");
    /** Show vocab-only files, vision projectors and broken files too. */
    const showAll = signal(false);
    const source = signal<LibrarySource | "all">("all");
    const nCtx = computed(() => settings.settings.value?.n_ctx ?? DEFAULT_N_CTX);
    const fits = createFitCache((id, n) => api.modelFit(id, n));
    const verifications = signal<ReadonlyMap<string, VerifyState>>(new Map());
    /** Sources present in the library, for the source filter. */
    const sources = computed(() => [...new Set(models.list.value.map((m) => m.source))]);
    const matching = computed(() => {
      const words = query.value.toLowerCase().split(/\s+/).filter(Boolean);
      return models.list.value.filter((m) => {
        if (source.value !== "all" && m.source !== source.value) return false;
        const text = `${m.name} ${m.path} ${m.architecture ?? ""}`.toLowerCase();
        return words.every((w) => text.includes(w));
      });
    });
    /** The rows to show: chat models first, else in the server's order (bundled, then name). */
    const visible = computed(() =>
      matching.value.filter((m) => showAll.value || isChatModel(m))
        .sort((a, b) => Number(isChatModel(b)) - Number(isChatModel(a)))
    );
    /** Files the filters match that the "chat models only" toggle hides. */
    const hiddenCount = computed(() => matching.value.filter((m) => !isChatModel(m)).length);

    const setVerify = (id: string, state: VerifyState | null) => {
      const next = new Map(verifications.value);
      if (state) next.set(id, state);
      else next.delete(id);
      verifications.value = next;
    };
    const setQuery = (text: string) => void (query.value = text);
    const setShowAll = (on: boolean) => void (showAll.value = on);
    const setSource = (value: LibrarySource | "all") => void (source.value = value);
    /** Fetches `id`'s fit at the settings' n_ctx unless known (a row came into view). */
    const requestFit = (id: string) => fits.request(id, nCtx.value);
    const verify = async (id: string) => {
      setVerify(id, { status: "running" });
      try {
        setVerify(id, { status: "done", ...await api.verifyModel(id) });
      } catch (error) {
        setVerify(id, { status: "error", message: (error as Error).message });
      }
    };
    const reveal = (id: string) => api.revealModel(id).catch(toasts.error);
    /** Deletes the file (the caller asked the user first). */
    const remove = async (entry: LibraryEntry) => {
      try {
        await api.deleteModel(entry.id);
      } catch (error) {
        return toasts.error(error);
      }
      models.list.value = models.list.value.filter((m) => m.id !== entry.id);
      toasts.show({ text: `Deleted ${entry.name}`, kind: "info" });
    };
    const onLibrary = (change: LibraryChange) => {
      for (const id of [...change.updated, ...change.removed]) {
        fits.forget(id);
        setVerify(id, null);
      }
      return models.refresh();
    };
    return {
      query,
      showAll,
      source,
      nCtx,
      fits: fits.states,
      verifications,
      sources,
      visible,
      hiddenCount,
      setQuery,
      setShowAll,
      setSource,
      requestFit,
      verify,
      reveal,
      remove,
      onLibrary,
    };
  },
);

/** An instance of {@link LibraryModel}. */
export type LibraryStore = InstanceType<typeof LibraryModel>;
