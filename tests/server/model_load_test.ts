/**
 * How a model load ends, over real HTTP on 127.0.0.1 with real storage and the real engine:
 * a failed load clears `loading` and leaves its error in `GET /api/state` and on the event
 * stream, whether the UI asked for it or it was the default model at start.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { appJson as api, waitFor } from "./_app_api.ts";
import { type RunningApp, startApp } from "../../cli/app.ts";
import { BUNDLED_MODEL } from "../../config.ts";
import { DATABASE_FILE, openDatabase } from "../../storage/mod.ts";
import { DisposedError } from "../../engine/errors.ts";
import { EventHub } from "../../server/events.ts";
import { ModelHost } from "../../server/model_host.ts";

type AppEvent = { event: string; data: unknown };

/** Follows `GET /api/events`, collecting events as they come. */
async function followEvents(app: RunningApp) {
  const response = await fetch(`${app.origin}/api/events`, {
    headers: { authorization: `Bearer ${app.secret}` },
  });
  assertEquals(response.status, 200);
  const events: AppEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const reading = (async () => {
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: "", done: true }));
      if (done) return;
      buffer += value;
      const blocks = buffer.split("\n\n");
      buffer = blocks.pop()!;
      for (const block of blocks) {
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data !== undefined) events.push({ event, data: JSON.parse(data) });
      }
    }
  })();
  return {
    events,
    close: async () => {
      await reader.cancel();
      await reading;
    },
  };
}

Deno.test("POST /api/models/load of a broken file ends with loading null and load_error set", async () => {
  const temp = await Deno.makeTempDir();
  const broken = join(temp, "broken.gguf");
  await Deno.writeTextFile(broken, "this is not a GGUF file");
  const app = await startApp({
    dataDir: join(temp, "data"),
    loadDefaultModel: false,
    libraryRoots: [],
  });
  const stream = await followEvents(app);
  try {
    await api(app, "POST", "/api/models/load", { path: broken });
    await waitFor("the load to end", () => {
      const last = stream.events.findLast((e) => e.event === "loading");
      return stream.events.some((e) => e.event === "load_error") && last?.data === null;
    });
    const failure = stream.events.find((e) => e.event === "load_error")!.data as {
      path: string;
      message: string;
    };
    assertEquals(failure.path, broken);
    assert(failure.message.length > 0, "the error says what went wrong");
    // No event after the failure says a load still runs.
    const after = stream.events.slice(stream.events.findIndex((e) => e.event === "load_error"));
    assert(after.every((e) => e.event !== "loading" || e.data === null), JSON.stringify(after));
    const state = await api(app, "GET", "/api/state");
    assertEquals(state.loading, null);
    assertEquals(state.loaded, null);
    assertEquals(state.load_error, failure);

    // The next load clears the error, and succeeds.
    await api(app, "POST", "/api/models/load", { path: BUNDLED_MODEL });
    await waitFor("the bundled model", async () => (await api(app, "GET", "/api/state")).loaded);
    const loaded = await api(app, "GET", "/api/state");
    assertEquals(loaded.load_error, null);
    assertEquals(loaded.loading, null);
  } finally {
    await stream.close();
    await app.close();
    await Deno.remove(temp, { recursive: true });
  }
});

Deno.test("a failed load of the default model at start is in GET /api/state", async () => {
  const temp = await Deno.makeTempDir();
  const dataDir = join(temp, "data");
  const missing = join(temp, "gone.gguf");
  await Deno.mkdir(dataDir);
  const storage = openDatabase(join(dataDir, DATABASE_FILE));
  storage.settings.patch({ default_model: missing });
  storage.close();
  const app = await startApp({ dataDir, libraryRoots: [] });
  try {
    await waitFor("the load to fail", async () => {
      const state = await api(app, "GET", "/api/state");
      return state.load_error !== null && state.loading === null;
    });
    const state = await api(app, "GET", "/api/state");
    assertEquals(state.loaded, null);
    assertEquals(state.load_error.path, missing);
    assert(state.load_error.message.includes(missing), state.load_error.message);
  } finally {
    await app.close();
    await Deno.remove(temp, { recursive: true });
  }
});

Deno.test("ModelHost.close() while its engine starts stops that engine", async () => {
  // The app closing during its first load (a second start's SIGTERM, a quick close)
  // once left the engine Worker running: the process never exited.
  const host = new ModelHost(new EventHub());
  const starting = host.engine();
  host.close();
  await assertRejects(() => starting, DisposedError);
  await assertRejects(() => host.engine(), DisposedError);
});
