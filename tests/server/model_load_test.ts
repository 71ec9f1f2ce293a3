/**
 * How a model load ends, over real HTTP on 127.0.0.1 with real storage and the real engine:
 * a failed load clears `loading` and leaves its error in `GET /api/state` and on the event
 * stream, whether the UI asked for it or it was the default model at start.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { appJson as api, waitFor } from "./_app_api.ts";
import { type RunningApp, startApp } from "../../cli/app.ts";
import { BUNDLED_MODEL } from "../../config/config.ts";
import { DATABASE_FILE, openDatabase } from "../../storage/mod.ts";
import { LOAD_VERDICTS_FILE } from "../../engine/load_verdicts.ts";
import { writeGguf } from "../library/_gguf.ts";
import { writeCraftedModels } from "../crafted_models.ts";
import { STORIES_260K } from "../models.ts";
import { DisposedError } from "../../engine/errors.ts";
import { EventHub } from "../../app/events.ts";
import { ModelHost } from "../../app/model_host.ts";

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
  // Passes the header checks (those answer 422 at once), then llama.cpp refuses it.
  const broken = writeGguf(join(temp, "broken.gguf"), {
    metadata: { "general.architecture": "nonesuch", "general.name": "broken" },
  });
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

Deno.test("POST /api/models/load answers 422 for files that would crash llama.cpp; the app lives", async () => {
  const temp = await Deno.makeTempDir();
  const dataDir = join(temp, "data");
  const indexed = join(temp, "indexed");
  const loose = join(temp, "loose");
  await Promise.all([dataDir, indexed, loose].map((dir) => Deno.mkdir(dir)));
  const inLibrary = await writeCraftedModels(indexed);
  const outside = await writeCraftedModels(loose);
  // A file whose bytes crashed llama.cpp in an earlier run: the verdict is in the data dir.
  const crashed = join(loose, "crashed.gguf");
  await Deno.copyFile(STORIES_260K, crashed);
  const stat = await Deno.stat(crashed);
  const reason = "llama.cpp crashed on this file: a test load in a child process was killed";
  await Deno.writeTextFile(
    join(dataDir, LOAD_VERDICTS_FILE),
    JSON.stringify([{
      path: crashed,
      sizeBytes: stat.size,
      mtimeMs: stat.mtime!.getTime(),
      verdict: { ok: false, reason, signal: "SIGABRT", exitCode: null, lastLogLines: [] },
    }]),
  );
  const app = await startApp({
    dataDir,
    loadDefaultModel: false,
    libraryRoots: [{ kind: "folder", path: indexed }],
  });
  try {
    await waitFor("the library to list the crafted files as broken", async () => {
      const { models } = await api(app, "GET", "/api/models");
      return models.filter((m: { broken_reason: string | null }) => m.broken_reason).length === 3;
    });
    const refuse = async (path: string, says: string) => {
      const response = await fetch(`${app.origin}/api/models/load`, {
        method: "POST",
        headers: { authorization: `Bearer ${app.secret}`, "content-type": "application/json" },
        body: JSON.stringify({ path }),
      });
      const body = await response.json();
      assertEquals(response.status, 422, JSON.stringify(body));
      assertEquals(body.error.type, "model_broken");
      assert(body.error.broken_reason.includes(says), body.error.broken_reason);
    };
    for (const crafted of [inLibrary, outside]) {
      await refuse(crafted.zeroLayers, "llama.block_count is 0");
      await refuse(crafted.nanEpsilon, "layer_norm_rms_epsilon is NaN");
      await refuse(crafted.negativeEpsilon, "layer_norm_rms_epsilon is -1");
    }
    await refuse(crashed, reason);

    // Alive: the next load works.
    await api(app, "POST", "/api/models/load", { path: BUNDLED_MODEL });
    await waitFor("the bundled model", async () => (await api(app, "GET", "/api/state")).loaded);
  } finally {
    await app.close();
    await Deno.remove(temp, { recursive: true });
  }
});

Deno.test("a load that crashed llama.cpp marks the file broken in the library", async () => {
  const temp = await Deno.makeTempDir();
  const dataDir = join(temp, "data");
  const indexed = join(temp, "indexed");
  await Promise.all([dataDir, indexed].map((dir) => Deno.mkdir(dir)));
  const crashed = join(indexed, "crashed.gguf");
  await Deno.copyFile(STORIES_260K, crashed);
  const stat = await Deno.stat(crashed);
  const reason = "llama.cpp crashed on this file: a test load in a child process was killed";
  // The crash of an earlier run; this run's load of the default model meets it.
  await Deno.writeTextFile(
    join(dataDir, LOAD_VERDICTS_FILE),
    JSON.stringify([{
      path: crashed,
      sizeBytes: stat.size,
      mtimeMs: stat.mtime!.getTime(),
      verdict: { ok: false, reason, signal: "SIGABRT", exitCode: null, lastLogLines: [] },
    }]),
  );
  const storage = openDatabase(join(dataDir, DATABASE_FILE));
  storage.settings.patch({ default_model: crashed });
  storage.close();
  const app = await startApp({ dataDir, libraryRoots: [{ kind: "folder", path: indexed }] });
  try {
    const state = await waitFor("the load to fail", async () => {
      const state = await api(app, "GET", "/api/state");
      return state.load_error !== null && state.loading === null && state;
    });
    assert(state.load_error.message.includes(reason), state.load_error.message);
    assertEquals(state.loaded, null);
    await waitFor("the library to list the file as broken", async () => {
      const { models } = await api(app, "GET", "/api/models");
      return models.some((m: { path: string; broken_reason: string | null }) =>
        m.path === crashed && m.broken_reason === reason
      );
    });
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
