import { assertEquals, assertRejects, assertThrows } from "../tests/assert.ts";
import type { downloadFile, DownloadFileOptions, DownloadResult } from "./download_file.ts";
import { DownloadManager } from "./download_manager.ts";

/** A fake downloadFile: each call waits until the test finishes or the signal aborts it. */
function fakeDownloads() {
  const calls: { file: string; finish: () => void; options: DownloadFileOptions }[] = [];
  const download =
    ((_repo: string, file: string, options: DownloadFileOptions) =>
      new Promise<DownloadResult>((resolve, reject) => {
        options.signal?.addEventListener("abort", () => reject(options.signal!.reason));
        const result = {
          path: file,
          blobPath: file,
          commit: "c",
          etag: "e",
          sizeBytes: 1,
          downloaded: true,
        };
        calls.push({ file, options, finish: () => resolve(result) });
      })) as typeof downloadFile;
  return { calls, download };
}

Deno.test("DownloadManager starts queued downloads in the order they were added", async () => {
  const { calls, download } = fakeDownloads();
  const manager = new DownloadManager({ cacheDir: "/c", concurrency: 1, download });
  const ids = ["a", "b", "c"].map((file) => manager.add({ repo: "o/n", file }));
  for (const file of ["a", "b", "c"]) {
    assertEquals(calls.at(-1)?.file, file);
    calls.at(-1)!.finish();
    await manager.settled(ids[calls.length - 1]);
    await new Promise((resolve) => setTimeout(resolve, 0)); // the next one starts after
  }
  assertEquals(manager.list().map((d) => d.state), ["done", "done", "done"]);
});

Deno.test("DownloadManager.resume() during a pause restarts the download", async () => {
  const { calls, download } = fakeDownloads();
  const manager = new DownloadManager({ cacheDir: "/c", download });
  const id = manager.add({ repo: "o/n", file: "a" });
  manager.pause(id);
  manager.resume(id); // before the aborted call has settled
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals([manager.get(id)?.state, calls.length], ["downloading", 2]);
  calls[1].finish();
  assertEquals((await manager.settled(id)).state, "done");
});

Deno.test("DownloadManager.cancel() of a queued download needs no running task", async () => {
  const { calls, download } = fakeDownloads();
  const manager = new DownloadManager({ cacheDir: "/c", concurrency: 1, download });
  const first = manager.add({ repo: "o/n", file: "a" });
  const second = manager.add({ repo: "o/n", file: "b" });
  await manager.cancel(second);
  assertEquals(manager.get(second)?.state, "cancelled");
  calls[0].finish();
  await manager.settled(first);
  assertEquals(calls.length, 1);
});

Deno.test("DownloadManager checks concurrency, ids and use after close", async () => {
  assertThrows(() => new DownloadManager({ cacheDir: "/c", concurrency: 0 }), RangeError);
  const { download } = fakeDownloads();
  const manager = new DownloadManager({ cacheDir: "/c", download });
  await assertRejects(() => manager.settled("dl-9"), RangeError);
  const id = manager.add({ repo: "o/n", file: "a" });
  await manager.close();
  assertEquals(manager.get(id)?.state, "paused");
  assertThrows(() => manager.add({ repo: "o/n", file: "b" }), TypeError, "closed");
});

Deno.test("DownloadManager.restore() adds a paused download showing its partial bytes", async () => {
  const { calls, download } = fakeDownloads();
  const dir = await Deno.makeTempDir();
  try {
    const partialPath = `${dir}/blob.incomplete`;
    await Deno.writeFile(partialPath, new Uint8Array(300));
    const manager = new DownloadManager({ cacheDir: dir, download });
    const request = { repo: "o/n", revision: "main", file: "a" };
    const id = await manager.restore({ request, partialPath, totalBytes: 1000 });
    const status = manager.get(id)!;
    assertEquals([status.state, status.partialPath], ["paused", partialPath]);
    assertEquals([status.progress?.downloadedBytes, status.progress?.totalBytes], [300, 1000]);
    assertEquals(calls.length, 0);
    // the same request again is the same download
    assertEquals(await manager.restore({ request, partialPath, totalBytes: 1000 }), id);
    assertEquals(manager.add({ repo: "o/n", file: "a" }), id);
    assertEquals([manager.get(id)?.state, calls.length], ["downloading", 1]);
    manager.pause(id);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await manager.cancel(id);
    assertEquals(manager.get(id)?.state, "cancelled");
    await assertRejects(() => Deno.stat(partialPath), Deno.errors.NotFound);
    await manager.close();
    await assertRejects(
      () => manager.restore({ request, partialPath: null, totalBytes: null }),
      TypeError,
      "closed",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DownloadManager.restore() of a missing partial file shows 0 bytes", async () => {
  const { download } = fakeDownloads();
  const manager = new DownloadManager({ cacheDir: "/c", download });
  const id = await manager.restore({
    request: { repo: "o/n", file: "a" },
    partialPath: "/nonexistent/blob.incomplete",
    totalBytes: null,
  });
  assertEquals(manager.get(id)?.progress?.downloadedBytes, 0);
  await manager.close();
});
