import { assert, assertEquals } from "../../tests/assert.ts";
import { type Api, ApiError } from "../api.ts";
import type {
  Download,
  HubFileMetadata,
  HubModel,
  LibraryEntry,
  MemoryFit,
  Settings,
} from "../../api/types.ts";
import { createStores } from "./app.ts";
import { hubFileKey } from "./hub.ts";
import { fitKey } from "./library.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function entry(id: string, extra: Partial<LibraryEntry> = {}): LibraryEntry {
  return {
    id,
    path: `/models/${id}.gguf`,
    name: id,
    kind: "model",
    size_bytes: 1,
    architecture: "llama",
    quantization: null,
    n_params: null,
    context_length: null,
    n_layer: null,
    has_chat_template: true,
    license: null,
    base_model: null,
    source: "folder",
    hf_repo: null,
    sha256: null,
    verified_at: null,
    broken_reason: null,
    bundled: false,
    ...extra,
  };
}

const FIT: MemoryFit = {
  devices: [],
  total_bytes: 1,
  verdict: "fits",
  n_ctx: 2048,
  n_parallel: 1,
  max_n_ctx: 8192,
  method: "simulation",
  simulation_error: null,
};

/** A fake client for the model browser's routes: `calls` logs them, `gates` hold answers. */
function fakeApi(models: LibraryEntry[]) {
  const calls: string[] = [];
  const fitGates: PromiseWithResolvers<MemoryFit>[] = [];
  const searchGates: PromiseWithResolvers<{ models: HubModel[]; next_cursor: string | null }>[] =
    [];
  const metadataGates: PromiseWithResolvers<HubFileMetadata>[] = [];
  const api = {
    listModels: async () => (calls.push("listModels"), await tick(), { models: [...models] }),
    modelFit: (id: string, nCtx: number) => {
      calls.push(`fit ${id} ${nCtx}`);
      const gate = Promise.withResolvers<MemoryFit>();
      fitGates.push(gate);
      return gate.promise;
    },
    patchSettings: (patch: Partial<Settings>) => Promise.resolve(patch as Settings),
    hubSearch: (q: string, sort: string, cursor?: string | null) => {
      calls.push(`search ${q} ${sort} ${cursor ?? ""}`);
      const gate = Promise.withResolvers<{ models: HubModel[]; next_cursor: string | null }>();
      searchGates.push(gate);
      return gate.promise;
    },
    hubFileMetadata: (repo: string, file: string) => {
      calls.push(`metadata ${repo} ${file}`);
      const gate = Promise.withResolvers<HubFileMetadata>();
      metadataGates.push(gate);
      return gate.promise;
    },
    hubRepo: (repo: string) => {
      calls.push(`repo ${repo}`);
      return Promise.reject(new ApiError(403, "forbidden", `${repo} is gated: request access`));
    },
  };
  return { api: api as unknown as Api, calls, fitGates, searchGates, metadataGates };
}

const hubModel = (id: string): HubModel => ({
  id,
  author: null,
  downloads: 0,
  likes: 0,
  last_modified: null,
  gated: false,
});

Deno.test("LibraryModel.visible shows chat models unless showAll, filtered by text and source", async () => {
  const { api } = fakeApi([
    entry("qwen", { architecture: "qwen2", source: "hf-cache" }),
    entry("llama"),
    entry("bad", { broken_reason: "bad magic" }),
    entry("vocab", { kind: "vocab-only" }),
  ]);
  const { models, library } = createStores(api);
  await models.refresh();
  const ids = () => library.visible.value.map((m) => m.id);
  assertEquals(ids(), ["qwen", "llama"]);
  assertEquals(library.hiddenCount.value, 2);
  library.setShowAll(true);
  assertEquals(ids(), ["qwen", "llama", "bad", "vocab"]);
  library.setQuery("QWEN2");
  assertEquals(ids(), ["qwen"], "architecture matches, case-insensitively");
  library.setQuery("");
  library.setSource("hf-cache");
  assertEquals(ids(), ["qwen"]);
  assertEquals(library.sources.value, ["hf-cache", "folder"]);
});

Deno.test("LibraryModel.requestFit() asks once per n_ctx, two at a time; a library event forgets", async () => {
  const { api, calls, fitGates } = fakeApi([entry("a"), entry("b"), entry("c")]);
  const { models, library, settings } = createStores(api);
  settings.set({ n_ctx: 2048 } as Settings);
  await models.refresh();
  for (const id of ["a", "b", "c", "a"]) library.requestFit(id);
  assertEquals(calls.filter((c) => c.startsWith("fit")), ["fit a 2048", "fit b 2048"]);
  assertEquals(library.fits.value.get(fitKey("c", 2048))?.status, "loading");
  fitGates[0].resolve(FIT);
  await tick();
  assertEquals(library.fits.value.get(fitKey("a", 2048)), { status: "ready", fit: FIT });
  assertEquals(calls.at(-1), "fit c 2048", "the third starts when one ends");
  fitGates[1].reject(new Error("no engine"));
  fitGates[2].resolve(FIT);
  await tick();
  assertEquals(library.fits.value.get(fitKey("b", 2048)), {
    status: "error",
    message: "no engine",
  });
  await library.onLibrary({ added: [], updated: ["a"], removed: [] });
  assertEquals(library.fits.value.has(fitKey("a", 2048)), false);
  assert(library.fits.value.has(fitKey("c", 2048)));
  assertEquals(calls.filter((c) => c === "listModels").length, 2);
});

Deno.test("ModelsModel.refresh() shares a running fetch and fetches once more after it", async () => {
  const { api, calls } = fakeApi([entry("a")]);
  const { models } = createStores(api);
  await Promise.all([models.refresh(), models.refresh(), models.refresh()]);
  assertEquals(calls, ["listModels", "listModels"]);
});

Deno.test("DownloadsModel.onDownload() tracks progress and refreshes the library once when done", async () => {
  const { api, calls } = fakeApi([entry("a")]);
  const { downloads, toasts } = createStores(api);
  const d: Download = {
    id: "d1",
    repo: "tiny/stories",
    file: "q4/stories-Q4_K_M.gguf",
    state: "downloading",
    downloaded_bytes: 10,
    total_bytes: 100,
    bytes_per_second: 5,
    eta_seconds: 18,
  };
  downloads.onDownload(d);
  assertEquals(downloads.activeCount.value, 1);
  downloads.onDownload({ ...d, state: "done", downloaded_bytes: 100 });
  downloads.onDownload({ ...d, state: "done", downloaded_bytes: 100 });
  await tick();
  assertEquals(calls.filter((c) => c === "listModels").length, 1);
  assertEquals(toasts.toasts.value.map((t) => t.text), ["Downloaded stories-Q4_K_M.gguf"]);
  assertEquals(downloads.activeCount.value, 0);
  downloads.clear("d1");
  assertEquals(downloads.list.value, []);
  toasts.clear();
});

Deno.test("HubBrowserModel.search() debounces, keeps only the newest answer, and pages", async () => {
  const { api, calls, searchGates } = fakeApi([]);
  const { hub } = createStores(api);
  hub.search("sto");
  hub.search("stories");
  // The first search to go out is the last one typed: "sto" never does.
  for (let polls = 0; calls.length === 0; polls++) {
    assert(polls < 1_000, "no search went out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assertEquals(calls, ["search stories downloads "]);
  const sorted = hub.setSort("likes");
  searchGates[1].resolve({ models: [hubModel("new")], next_cursor: "c2" });
  await sorted;
  searchGates[0].resolve({ models: [hubModel("stale")], next_cursor: null });
  await tick();
  assertEquals(hub.results.value?.map((m) => m.id), ["new"], "the older answer is dropped");
  const more = hub.loadMore();
  assertEquals(calls.at(-1), "search stories likes c2");
  searchGates[2].resolve({ models: [hubModel("more")], next_cursor: null });
  await more;
  assertEquals(hub.results.value?.map((m) => m.id), ["new", "more"]);
  assertEquals(hub.nextCursor.value, null);
});

Deno.test("HubBrowserModel.openRepo() keeps the server's message for a gated repository", async () => {
  const { api } = fakeApi([]);
  const { hub } = createStores(api);
  await hub.openRepo("meta/gated");
  assertEquals(hub.repoError.value, {
    message: "meta/gated is gated: request access",
    status: 403,
  });
  hub.closeRepo();
  assertEquals(hub.repoId.value, null);
});

Deno.test("HubBrowserModel.requestMetadata() asks once per file, and again after an error", async () => {
  const { api, calls, metadataGates } = fakeApi([]);
  const { hub } = createStores(api);
  const key = hubFileKey("tiny/stories", "a.gguf");
  const first = hub.requestMetadata("tiny/stories", "a.gguf");
  hub.requestMetadata("tiny/stories", "a.gguf");
  assertEquals(hub.metadata.value.get(key), { status: "loading" });
  metadataGates[0].reject(new ApiError(400, "invalid_request", "bad magic"));
  await first;
  assertEquals(hub.metadata.value.get(key), {
    status: "error",
    error: { message: "bad magic", status: 400 },
  });
  const again = hub.requestMetadata("tiny/stories", "a.gguf");
  const metadata = { repo: "tiny/stories", file: "a.gguf", n_layer: 5 } as HubFileMetadata;
  metadataGates[1].resolve(metadata);
  await again;
  assertEquals(hub.metadata.value.get(key), { status: "ready", metadata });
  await hub.requestMetadata("tiny/stories", "a.gguf");
  assertEquals(calls.filter((c) => c.startsWith("metadata")), [
    "metadata tiny/stories a.gguf",
    "metadata tiny/stories a.gguf",
  ]);
});

Deno.test("DownloadsModel.pause() keeps an event that arrived before its answer", async () => {
  const d: Download = {
    id: "d1",
    repo: "r/x",
    file: "x.gguf",
    state: "downloading",
    downloaded_bytes: 1,
    total_bytes: 2,
    bytes_per_second: 1,
    eta_seconds: 1,
  };
  const answer = Promise.withResolvers<Download>();
  const { api } = fakeApi([]);
  (api as unknown as { pauseDownload: () => Promise<Download> }).pauseDownload = () =>
    answer.promise;
  const { downloads } = createStores(api);
  downloads.onDownload(d);
  const paused = downloads.pause("d1");
  downloads.onDownload({ ...d, state: "paused" });
  answer.resolve(d); // written before the pause took effect
  await paused;
  assertEquals(downloads.byId.value.get("d1")?.state, "paused");
});
