/**
 * Downloads across app restarts, over real HTTP: a real SQLite file and Hugging Face
 * cache in a temp folder, the fake hub on 127.0.0.1. A download stopped partway comes
 * back paused after a restart with the bytes already on disk, and resumes by Range or
 * cancels without leaving a partial file or a row behind.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { appJson as api, waitFor } from "./_app_api.ts";
import { type RunningApp, startApp } from "../../cli/app.ts";
import { type FakeHub, startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K_CHATML } from "../models.ts";
import { cdnGets, rangeStart, sha256Hex } from "../hub/_helpers.ts";

const REPO = "tiny/stories";
const FILE = "stories-Q4_K_M.gguf";

// deno-lint-ignore no-explicit-any
type Json = any;

/** A fake hub serving one slow file, and a temp data dir and cache apps share. */
async function withSetup(
  fn: (setup: { hub: FakeHub; start: () => Promise<RunningApp>; partial: string }) => Promise<void>,
) {
  const hub = await startFakeHub({
    repos: [{ id: REPO, files: [{ path: FILE, source: STORIES_260K_CHATML }] }],
  });
  hub.faults.bytesPerSecond = 200_000; // about 6 s for the whole file
  const temp = await Deno.makeTempDir();
  const cacheDir = join(temp, "hub");
  const apps: RunningApp[] = [];
  const start = async () => {
    const app = await startApp({
      dataDir: join(temp, "data"),
      loadDefaultModel: false,
      hub: { endpoint: hub.endpoint, token: undefined, cacheDir },
      libraryRoots: [],
    });
    apps.push(app);
    return app;
  };
  const partial = join(
    cacheDir,
    "models--tiny--stories",
    "blobs",
    `${hub.file(REPO, FILE).sha256}.incomplete`,
  );
  try {
    await fn({ hub, start, partial });
  } finally {
    for (const app of apps) await app.close();
    await hub.close();
    await Deno.remove(temp, { recursive: true });
  }
}

const only = async (app: RunningApp): Promise<Json> => {
  const { downloads } = await api(app, "GET", "/api/downloads");
  assertEquals(downloads.length, 1);
  return downloads[0];
};

/** Starts the download and waits until some of its bytes are on disk. */
async function startPartway(app: RunningApp): Promise<Json> {
  const started = await api(app, "POST", "/api/downloads", { repo: REPO, file: FILE });
  return await waitFor("bytes on disk", async () => {
    const d = await only(app);
    assert(d.state !== "error", d.error);
    return d.downloaded_bytes >= 100_000 ? started : undefined;
  }, 30_000);
}

Deno.test("a download interrupted by closing the app resumes by Range after a restart", async () => {
  await withSetup(async ({ hub, start, partial }) => {
    const first = await start();
    await startPartway(first);
    await first.close();
    const size = (await Deno.stat(STORIES_260K_CHATML)).size;
    const onDisk = (await Deno.stat(partial)).size;
    assert(onDisk > 0 && onDisk < size, `${onDisk} bytes of ${size} on disk`);

    const second = await start();
    const restored = await only(second);
    assertEquals(
      [restored.repo, restored.file, restored.state, restored.downloaded_bytes],
      [REPO, FILE, "paused", onDisk],
    );
    assertEquals(restored.total_bytes, size);
    assertEquals(second.storage.downloads.list().map((d) => [d.state, d.partial_path]), [
      ["paused", partial],
    ]);

    hub.faults.bytesPerSecond = 0;
    const gets = cdnGets(hub).length;
    await api(second, "POST", `/api/downloads/${restored.id}/resume`);
    const done = await waitFor("the download to finish", async () => {
      const d = await only(second);
      assert(d.state !== "error", d.error);
      return d.state === "done" ? d : undefined;
    }, 30_000);
    assertEquals(cdnGets(hub).slice(gets).map((r) => rangeStart(r.range)), [onDisk]);
    assertEquals(await sha256Hex(done.path), await sha256Hex(STORIES_260K_CHATML));
    assertEquals(second.storage.downloads.list(), []);
  });
});

Deno.test("a paused download cancelled after a restart leaves no partial file and no row", async () => {
  await withSetup(async ({ start, partial }) => {
    const first = await start();
    const started = await startPartway(first);
    await api(first, "POST", `/api/downloads/${started.id}/pause`);
    await waitFor(
      "the pause",
      async () => (await only(first)).state === "paused" || undefined,
      30_000,
    );
    await first.close();
    const onDisk = (await Deno.stat(partial)).size;
    assert(onDisk > 0);

    const second = await start();
    const restored = await only(second);
    assertEquals([restored.state, restored.downloaded_bytes], ["paused", onDisk]);
    const response = await fetch(`${second.origin}/api/downloads/${restored.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${second.secret}` },
    });
    assertEquals(response.status, 204);
    assertEquals((await only(second)).state, "cancelled");
    assert(!(await Deno.stat(partial).then(() => true, () => false)), "partial file left");
    assertEquals(second.storage.downloads.list(), []);
    await second.close();

    const third = await start();
    assertEquals((await api(third, "GET", "/api/downloads")).downloads, []);
  });
});

Deno.test("a download that failed with 404 is still failed after a restart, not paused", async () => {
  await withSetup(async ({ hub, start }) => {
    const first = await start();
    // Listed, then gone from the repo when the download asks for its bytes.
    hub.faults.notFound = { count: 100, pathIncludes: `/resolve/` };
    await api(first, "POST", "/api/downloads", { repo: REPO, file: FILE });
    // The UI API calls a failed download's state "error".
    const failed = await waitFor("the download to fail", async () => {
      const d = await only(first);
      return d.state === "error" ? d : undefined;
    }, 30_000);
    assert(/not.found|404/i.test(failed.error), failed.error);
    await first.close();

    const second = await start();
    const restored = await only(second);
    assertEquals([restored.file, restored.state], [FILE, "error"]);
    assert(restored.error.includes("failed before Hearth last closed"), restored.error);
    assertEquals(second.storage.downloads.list().map((d) => d.state), ["failed"]);
  });
});
