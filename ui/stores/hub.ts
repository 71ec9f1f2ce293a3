/**
 * The model browser's hub side: search GGUF repositories on Hugging Face (debounced, sorted,
 * paged by cursor), one repository's files and README, and a file's header metadata and memory
 * fit before it is downloaded.
 *
 * @module
 */
import { computed, createModel, signal } from "@preact/signals";
import { ApiError } from "../api.ts";
import type { Api } from "../api.ts";
import type { HubFileMetadata, HubModel, HubRepo, HubSort } from "../../api/types.ts";
import { createFitCache } from "./_fit_cache.ts";
import type { SettingsStore } from "./settings.ts";

/** Wait after the last keystroke before searching, in milliseconds. */
const SEARCH_DEBOUNCE_MS = 300;
/** n_ctx of fit estimates until the settings arrive. */
const DEFAULT_N_CTX = 4096;

/** What went wrong, with the server's message (it says what to do for a gated repo). */
export type HubError = { message: string; status: number };

/** A hub file's header metadata: being fetched, ready, or failed with the server's message. */
export type MetadataState =
  | { status: "loading" }
  | { status: "ready"; metadata: HubFileMetadata }
  | { status: "error"; error: HubError };

/** The subject of a hub file's fit estimate and metadata. */
export function hubFileKey(repo: string, file: string): string {
  return JSON.stringify([repo, file]);
}

/** The hub browser store. */
export const HubBrowserModel = createModel((api: Api, settings: SettingsStore) => {
  const query = signal("");
  const sort = signal<HubSort>("downloads");
  /** Results so far; null before the first search. */
  const results = signal<readonly HubModel[] | null>(null);
  const nextCursor = signal<string | null>(null);
  const searching = signal(false);
  const searchError = signal<HubError | null>(null);
  const repoId = signal<string | null>(null);
  const repo = signal<HubRepo | null>(null);
  const repoError = signal<HubError | null>(null);
  const nCtx = computed(() => settings.settings.value?.n_ctx ?? DEFAULT_N_CTX);
  const fits = createFitCache((subject, n) => {
    const [repoName, file] = JSON.parse(subject) as [string, string];
    return api.hubFit(repoName, file, n);
  });
  /** Header metadata by {@link hubFileKey}; asked when a file's details open. */
  const metadata = signal<ReadonlyMap<string, MetadataState>>(new Map());
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Each search takes a number; an answer is kept only if no newer search started since.
  let searchSeq = 0;

  const runSearch = async (more = false) => {
    clearTimeout(timer);
    const seq = ++searchSeq;
    searching.value = true;
    try {
      const page = await api.hubSearch(
        query.value.trim(),
        sort.value,
        more ? nextCursor.value : null,
      );
      if (seq !== searchSeq) return;
      results.value = more ? [...results.value ?? [], ...page.models] : page.models;
      nextCursor.value = page.next_cursor;
      searchError.value = null;
    } catch (error) {
      if (seq === searchSeq) searchError.value = errorOf(error);
    } finally {
      if (seq === searchSeq) searching.value = false;
    }
  };
  const search = (text: string) => {
    query.value = text;
    clearTimeout(timer);
    timer = setTimeout(() => runSearch(), SEARCH_DEBOUNCE_MS);
  };
  const setSort = (value: HubSort) => {
    sort.value = value;
    return runSearch();
  };
  const loadMore = () => (nextCursor.value ? runSearch(true) : Promise.resolve());
  /** Runs the first search (popular GGUF repositories) unless results exist. */
  const ensureResults = () => (results.value || searching.value ? undefined : runSearch());
  const openRepo = async (id: string) => {
    repoId.value = id;
    repo.value = null;
    repoError.value = null;
    try {
      const found = await api.hubRepo(id);
      if (repoId.value === id) repo.value = found;
    } catch (error) {
      if (repoId.value === id) repoError.value = errorOf(error);
    }
  };
  const closeRepo = () => {
    repoId.value = null;
    repo.value = null;
    repoError.value = null;
  };
  const requestFit = (repoName: string, file: string) =>
    fits.request(hubFileKey(repoName, file), nCtx.value);
  const setMetadata = (key: string, state: MetadataState) => {
    metadata.value = new Map(metadata.value).set(key, state);
  };
  /** Fetches a file's header metadata once; after an error, the next call asks again. */
  const requestMetadata = async (repoName: string, file: string) => {
    const key = hubFileKey(repoName, file);
    const known = metadata.value.get(key);
    if (known && known.status !== "error") return;
    setMetadata(key, { status: "loading" });
    try {
      setMetadata(key, { status: "ready", metadata: await api.hubFileMetadata(repoName, file) });
    } catch (error) {
      setMetadata(key, { status: "error", error: errorOf(error) });
    }
  };
  return {
    query,
    sort,
    results,
    nextCursor,
    searching,
    searchError,
    repoId,
    repo,
    repoError,
    nCtx,
    fits: fits.states,
    metadata,
    search,
    setSort,
    loadMore,
    ensureResults,
    openRepo,
    closeRepo,
    requestFit,
    requestMetadata,
  };
});

/** An instance of {@link HubBrowserModel}. */
export type HubStore = InstanceType<typeof HubBrowserModel>;

function errorOf(error: unknown): HubError {
  if (error instanceof ApiError) return { message: error.message, status: error.status };
  return { message: error instanceof Error ? error.message : String(error), status: 0 };
}
