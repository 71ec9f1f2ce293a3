import { assert, assertEquals } from "../../tests/assert.ts";
import type { Api, AppEventHandlers } from "../api.ts";
import type { AppState, LoadedModel, LoadError, Settings } from "../../api/types.ts";
import { createStores, startStores } from "./app.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** An API whose app events the test sends by hand; `state` is what `GET /api/state` answers. */
function eventApi(state: Partial<AppState> = {}) {
  const calls: string[] = [];
  let on: AppEventHandlers | undefined;
  const settings = { default_model: null } as unknown as Settings;
  const api = {
    events: (handlers: AppEventHandlers) => {
      on = handlers;
      queueMicrotask(() => handlers.ready?.()); // the stream opens
      return () => {};
    },
    state: () =>
      Promise.resolve({ loaded: null, loading: null, load_error: null, settings, ...state }),
    listChats: () => Promise.resolve({ chats: [] }),
    listModels: () => Promise.resolve({ models: [] }),
    listDownloads: () => Promise.resolve({ downloads: [] }),
    modelDevices: () => Promise.resolve({ devices: [] }),
    modelOptions: (path: string) => Promise.resolve({ path, options: {} }),
    loadModel: (path: string) => (calls.push(`loadModel ${path}`), Promise.resolve()),
    patchSettings: (patch: Partial<Settings>) => Promise.resolve({ ...settings, ...patch }),
  };
  return { api: api as unknown as Api, calls, send: () => on! };
}

const BROKEN: LoadError = { path: "/m/broken.gguf", message: 'Cannot load model "/m/broken.gguf"' };

Deno.test("ModelsModel.load() that fails ends with loading null and the error kept, toasted once", async () => {
  const { api, calls, send } = eventApi();
  const stores = createStores(api);
  await startStores(stores, api);
  const { models, toasts } = stores;
  await models.load(BROKEN.path);
  assertEquals(calls, [`loadModel ${BROKEN.path}`]);
  assertEquals(models.loading.value, { path: BROKEN.path, progress: 0 });
  // The server's order: the load starts, fails, and no load runs any more.
  send().loading({ path: BROKEN.path, progress: 0 });
  send().load_error(BROKEN);
  send().loading(null);
  assertEquals(models.loading.value, null, "Load buttons and the header are free again");
  assertEquals(models.loadError.value, BROKEN);
  assertEquals(toasts.toasts.value.map((t) => [t.kind, t.text]), [["error", BROKEN.message]]);
  // Another try clears the error while it runs.
  await models.load("/m/good.gguf");
  assertEquals(models.loadError.value, null);
  assert(models.loading.value !== null);
  toasts.clear();
});

Deno.test("startStores() shows a load error from GET /api/state (the default model at start)", async () => {
  const { api, send } = eventApi({ load_error: BROKEN });
  const stores = createStores(api);
  await startStores(stores, api);
  await tick();
  assertEquals(stores.models.loadError.value, BROKEN);
  assertEquals(stores.models.loading.value, null);
  // The same failure also arriving as an event (the stream connected first) toasts once.
  send().load_error(BROKEN);
  assertEquals(stores.toasts.toasts.value.map((t) => t.text), [BROKEN.message]);
  stores.toasts.clear();
});

Deno.test("startStores() keeps a model that loaded while the first state was on its way", async () => {
  const { api, send } = eventApi();
  const stale = Promise.withResolvers<AppState>();
  const settings = { default_model: null } as unknown as Settings;
  api.state = () => stale.promise;
  const stores = createStores(api);
  const started = startStores(stores, api);
  await tick();
  // The server read its state (a load running), then the load finished and its events came
  // over the stream before that older state did.
  const model = { path: "/m/stories.gguf" } as LoadedModel;
  send().model(model);
  send().loading(null);
  stale.resolve({
    loaded: null,
    loading: { path: model.path, progress: 0.5 },
    load_error: null,
    settings,
  } as AppState);
  await started;
  assertEquals(stores.models.loaded.value, model, "the older state does not undo the load");
  assertEquals(stores.models.loading.value, null);
});

Deno.test("startStores() reads the first state only once the event stream is open", async () => {
  const { api } = eventApi();
  const read = api.state;
  let reads = 0;
  api.state = () => (reads++, read());
  let ready = () => {};
  api.events = (handlers) => ((ready = () => handlers.ready?.()), () => {});
  const stores = createStores(api);
  const started = startStores(stores, api);
  await tick();
  // A change between an earlier read and the server following the stream would be lost.
  assertEquals(reads, 0);
  ready();
  await started;
  assertEquals(reads, 1);
});
