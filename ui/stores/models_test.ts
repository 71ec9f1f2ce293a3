import { assert, assertEquals } from "../../tests/assert.ts";
import type { Api, AppEventHandlers } from "../api.ts";
import type { AppState, LoadError, Settings } from "../../api/types.ts";
import { createStores, startStores } from "./app.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** An API whose app events the test sends by hand; `state` is what `GET /api/state` answers. */
function eventApi(state: Partial<AppState> = {}) {
  const calls: string[] = [];
  let on: AppEventHandlers | undefined;
  const settings = { default_model: null } as unknown as Settings;
  const api = {
    events: (handlers: AppEventHandlers) => ((on = handlers), () => {}),
    state: () =>
      Promise.resolve({ loaded: null, loading: null, load_error: null, settings, ...state }),
    listChats: () => Promise.resolve({ chats: [] }),
    listModels: () => Promise.resolve({ models: [] }),
    listDownloads: () => Promise.resolve({ downloads: [] }),
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
