import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { type FakeHub, startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K, STORIES_260K_CHATML, VOCAB_GPT2, VOCAB_PHI3 } from "../models.ts";
import { cdnGets, rangeStart, sha256Hex, waitFor } from "./_helpers.ts";
import { type DownloadEvent, DownloadManager, HubError } from "../../hub/mod.ts";

const SOURCES = [STORIES_260K, STORIES_260K_CHATML, VOCAB_PHI3, VOCAB_GPT2];
const REPO = "test-org/four";
const files = SOURCES.map((_, i) => `file-${i}.gguf`);

async function withManager(
  concurrency: number,
  fn: (
    manager: DownloadManager,
    hub: FakeHub,
    events: DownloadEvent[],
    cacheDir: string,
  ) => Promise<void>,
) {
  const cacheDir = await Deno.makeTempDir({ prefix: "hub-cache-" });
  const hub = await startFakeHub({
    repos: [{ id: REPO, files: SOURCES.map((source, i) => ({ path: files[i], source })) }],
  });
  const events: DownloadEvent[] = [];
  const manager = new DownloadManager({
    cacheDir,
    concurrency,
    hub: { endpoint: hub.endpoint },
    downloadOptions: { retryDelayMs: 5 },
    onEvent: (event) => events.push(event),
  });
  try {
    await fn(manager, hub, events, cacheDir);
  } finally {
    await manager.close();
    await hub.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
}

const partialOf = (hub: FakeHub, cacheDir: string, file: string) =>
  join(cacheDir, "models--test-org--four", "blobs", `${hub.file(REPO, file).sha256}.incomplete`);

Deno.test("DownloadManager runs at most `concurrency` downloads at once", async () => {
  await withManager(2, async (manager, hub, events) => {
    hub.faults.bytesPerSecond = 4_000_000;
    const ids = files.map((file) => manager.add({ repo: REPO, file }));
    assertEquals(manager.list().map((d) => d.state), [
      "downloading",
      "downloading",
      "queued",
      "queued",
    ]);
    const done = await Promise.all(ids.map((id) => manager.settled(id)));
    assertEquals(done.map((d) => d.state), ["done", "done", "done", "done"]);
    for (const [i, status] of done.entries()) {
      assertEquals(await sha256Hex(status.result!.path), await sha256Hex(SOURCES[i]));
    }
    let running = 0;
    let most = 0;
    for (const { type, download } of events) {
      if (type !== "state") continue;
      if (download.state === "downloading") running++;
      if (download.state === "done") running--;
      most = Math.max(most, running);
    }
    assertEquals(most, 2);
    assertEquals(hub.stats.maxActiveBodies, 2);
    assert(events.some((e) => e.type === "progress" && e.download.progress!.downloadedBytes > 0));
  });
});

Deno.test("DownloadManager.pause() keeps the partial file and resume() continues it with Range", async () => {
  await withManager(2, async (manager, hub, _events, cacheDir) => {
    hub.faults.bytesPerSecond = 300_000;
    const id = manager.add({ repo: REPO, file: files[0] });
    await waitFor(() => (manager.get(id)?.progress?.downloadedBytes ?? 0) >= 50_000, "progress");
    manager.pause(id);
    await waitFor(() => manager.get(id)?.state === "paused", "paused");
    const kept = (await Deno.stat(partialOf(hub, cacheDir, files[0]))).size;
    assert(kept >= 50_000, `partial file kept ${kept} bytes`);
    hub.faults.bytesPerSecond = 0;
    manager.resume(id);
    const status = await manager.settled(id);
    assertEquals(status.state, "done");
    assertEquals(rangeStart(cdnGets(hub).at(-1)!.range), kept);
    assertEquals(await sha256Hex(status.result!.path), await sha256Hex(SOURCES[0]));
  });
});

Deno.test("DownloadManager.pause() holds a queued download until resumed", async () => {
  await withManager(1, async (manager) => {
    const first = manager.add({ repo: REPO, file: files[0] });
    const second = manager.add({ repo: REPO, file: files[1] });
    manager.pause(second);
    assertEquals((await manager.settled(first)).state, "done");
    assertEquals(manager.get(second)?.state, "paused");
    manager.resume(second);
    assertEquals((await manager.settled(second)).state, "done");
  });
});

Deno.test("DownloadManager.cancel() stops the download and deletes the partial file", async () => {
  await withManager(2, async (manager, hub, _events, cacheDir) => {
    hub.faults.bytesPerSecond = 300_000;
    const id = manager.add({ repo: REPO, file: files[0] });
    await waitFor(() => (manager.get(id)?.progress?.downloadedBytes ?? 0) > 0, "progress");
    await manager.cancel(id);
    assertEquals(manager.get(id)?.state, "cancelled");
    assertEquals((await manager.settled(id)).state, "cancelled");
    assertEquals(
      await Deno.stat(partialOf(hub, cacheDir, files[0])).then(() => true, () => false),
      false,
    );
    const blobs = join(cacheDir, "models--test-org--four", "blobs");
    assertEquals([...Deno.readDirSync(blobs)], []);
  });
});

Deno.test("DownloadManager marks a failed download and add() of it again retries", async () => {
  await withManager(2, async (manager) => {
    const id = manager.add({ repo: REPO, file: "missing.gguf" });
    const failed = await manager.settled(id);
    assertEquals(failed.state, "failed");
    assert(failed.error instanceof HubError && failed.error.code === "not_found");
    assertEquals(manager.add({ repo: REPO, file: "missing.gguf" }), id);
    assertEquals((await manager.settled(id)).state, "failed");
  });
});
