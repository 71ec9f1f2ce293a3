import { join } from "node:path";
import { scanCacheDir } from "@huggingface/hub";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { type FakeHub, startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K } from "../models.ts";
import { cdnGets, rangeStart, seededRandom, sha256Hex } from "./_helpers.ts";
import { DiskSpaceError, downloadFile, type DownloadProgress, HubError } from "../../hub/mod.ts";

const REPO = "ggml-org/models";
const FILE = "tinyllamas/stories260K.gguf";
const CARD = new TextEncoder().encode("# Tiny stories\n");

async function withHub(fn: (hub: FakeHub, cacheDir: string) => Promise<void>) {
  const cacheDir = await Deno.makeTempDir({ prefix: "hub-cache-" });
  const hub = await startFakeHub({
    repos: [{
      id: REPO,
      files: [
        { path: FILE, source: STORIES_260K },
        { path: "stories260K.gguf", source: STORIES_260K },
        { path: "README.md", bytes: CARD },
      ],
    }],
  });
  try {
    await fn(hub, cacheDir);
  } finally {
    await hub.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
}

const fast = { retryDelayMs: 5 };

Deno.test("downloadFile() survives 4 dropped connections and ends sha256-equal", async () => {
  await withHub(async (hub, cacheDir) => {
    const size = (await Deno.stat(STORIES_260K)).size;
    const random = seededRandom(2604);
    hub.faults.dropAfterBytes = [1, 2, 3, 4].map(() => 1 + Math.floor(random() * (size / 4)));
    const reports: DownloadProgress[] = [];
    const result = await downloadFile(REPO, FILE, {
      cacheDir,
      ...fast,
      onProgress: (p) => reports.push(p),
    }, { endpoint: hub.endpoint });
    const { sha256 } = hub.file(REPO, FILE);
    assertEquals(await sha256Hex(result.path), sha256);
    assertEquals(await sha256Hex(STORIES_260K), sha256);
    assertEquals(result.downloaded, true);
    const gets = cdnGets(hub);
    assertEquals(gets.length, 5);
    assertEquals(gets[0].range, null);
    let offset = 0;
    for (const get of gets.slice(1)) {
      const start = rangeStart(get.range);
      assert(start !== null && start > offset, `resumed at ${get.range} after ${offset}`);
      offset = start;
    }
    assertEquals(reports.at(-1)?.downloadedBytes, size);
    assertEquals(reports.at(-1)?.totalBytes, size);
    for (let i = 1; i < reports.length; i++) {
      assert(reports[i].downloadedBytes >= reports[i - 1].downloadedBytes, "progress only grows");
    }
  });
});

Deno.test("downloadFile() writes the Hugging Face cache layout other tools read", async () => {
  await withHub(async (hub, cacheDir) => {
    const result = await downloadFile(REPO, FILE, { cacheDir }, { endpoint: hub.endpoint });
    const { sha256, commit, size } = hub.file(REPO, FILE);
    const storage = join(cacheDir, "models--ggml-org--models");
    assertEquals(result, {
      path: join(storage, "snapshots", commit, "tinyllamas", "stories260K.gguf"),
      blobPath: join(storage, "blobs", sha256),
      commit,
      etag: sha256,
      sizeBytes: size,
      downloaded: true,
    });
    assertEquals(await Deno.readLink(result.path), `../../../blobs/${sha256}`);
    // the bytes are fetched at the resolved commit, not at the moving branch
    const get = hub.requests.find((r) => r.method === "GET" && r.path.includes("/resolve/"));
    assertEquals(get?.path, `/${REPO}/resolve/${commit}/${FILE}`);
    assertEquals(await Deno.readTextFile(join(storage, "refs", "main")), commit);
    assertEquals([...Deno.readDirSync(join(storage, "blobs"))].map((e) => e.name), [sha256]);
    // the same content under another name reuses the blob; huggingface.js's scanner
    // (which reads only the snapshot's top level) sees it
    const top = await downloadFile(REPO, "stories260K.gguf", { cacheDir }, {
      endpoint: hub.endpoint,
    });
    assertEquals([top.blobPath, top.downloaded], [result.blobPath, false]);
    const scan = await scanCacheDir(cacheDir);
    assertEquals(scan.warnings, []);
    assertEquals(scan.repos[0].id, { name: REPO, type: "model" });
    assertEquals(scan.repos[0].revisions[0].commitOid, commit);
    assertEquals(scan.repos[0].revisions[0].refs, ["main"]);
    assertEquals(scan.repos[0].revisions[0].files.map((f) => f.blob.path), [result.blobPath]);
    assertEquals(scan.repos[0].size, size);
  });
});

Deno.test("downloadFile() is a no-op when the file is already in the cache", async () => {
  await withHub(async (hub, cacheDir) => {
    const options = { endpoint: hub.endpoint };
    const first = await downloadFile(REPO, FILE, { cacheDir }, options);
    const second = await downloadFile(REPO, FILE, { cacheDir }, options);
    assertEquals(second, { ...first, downloaded: false });
    assertEquals(cdnGets(hub).length, 1);
    // a commit revision needs no request at all
    const before = hub.requests.length;
    const pinned = await downloadFile(REPO, FILE, { cacheDir, revision: first.commit }, options);
    assertEquals([pinned.path, pinned.downloaded, hub.requests.length], [
      first.path,
      false,
      before,
    ]);
  });
});

Deno.test("downloadFile() serves the cached revision when the hub is unreachable", async () => {
  await withHub(async (hub, cacheDir) => {
    const first = await downloadFile(REPO, FILE, { cacheDir }, { endpoint: hub.endpoint });
    const offline = await downloadFile(REPO, FILE, { cacheDir, maxRetries: 0 }, {
      endpoint: "http://127.0.0.1:9", // discard port: connection refused
    });
    assertEquals(offline, { ...first, downloaded: false });
  });
});

Deno.test("downloadFile() rejects corrupted bytes and leaves no blob, link or partial file", async () => {
  await withHub(async (hub, cacheDir) => {
    hub.faults.corrupt = true;
    const error = await assertRejects(
      () => downloadFile(REPO, FILE, { cacheDir }, { endpoint: hub.endpoint }),
      HubError,
      "do not match",
    );
    assertEquals([error.code, error.status], ["integrity", 0]);
    const storage = join(cacheDir, "models--ggml-org--models");
    assertEquals([...Deno.readDirSync(join(storage, "blobs"))], []);
    assertEquals(await exists(join(storage, "snapshots")), false);
  });
});

Deno.test("downloadFile() rejects a file that fails the caller's expected sha256", async () => {
  await withHub(async (hub, cacheDir) => {
    await assertRejects(
      () =>
        downloadFile(REPO, FILE, { cacheDir, sha256: "0".repeat(64) }, { endpoint: hub.endpoint }),
      HubError,
      `expected ${"0".repeat(64)}`,
    );
    assertEquals([...Deno.readDirSync(join(cacheDir, "models--ggml-org--models", "blobs"))], []);
  });
});

Deno.test("downloadFile() verifies git files by their git oid ETag", async () => {
  await withHub(async (hub, cacheDir) => {
    const result = await downloadFile(REPO, "README.md", { cacheDir }, { endpoint: hub.endpoint });
    assertEquals(await Deno.readFile(result.path), CARD);
    assertEquals(result.etag, hub.file(REPO, "README.md").gitOid);
    assertEquals(await Deno.readLink(result.path), `../../blobs/${result.etag}`);
  });
});

Deno.test("downloadFile() starts over when the server ignores Range", async () => {
  await withHub(async (hub, cacheDir) => {
    hub.faults.dropAfterBytes = [300_000];
    hub.faults.ignoreRange = true;
    const result = await downloadFile(REPO, FILE, { cacheDir, ...fast }, {
      endpoint: hub.endpoint,
    });
    assertEquals(await sha256Hex(result.path), hub.file(REPO, FILE).sha256);
    assertEquals(cdnGets(hub).map((r) => r.status), [200, 200]);
  });
});

Deno.test("downloadFile() drops a stalled connection and resumes", async () => {
  await withHub(async (hub, cacheDir) => {
    hub.faults.stallAfterBytes = [200_000];
    const result = await downloadFile(REPO, FILE, { cacheDir, ...fast, stallTimeoutMs: 200 }, {
      endpoint: hub.endpoint,
    });
    assertEquals(await sha256Hex(result.path), hub.file(REPO, FILE).sha256);
    assertEquals(rangeStart(cdnGets(hub)[1].range), 200_000);
  });
});

Deno.test("downloadFile() stops on abort and keeps the partial file", async () => {
  await withHub(async (hub, cacheDir) => {
    hub.faults.bytesPerSecond = 400_000;
    const controller = new AbortController();
    const reason = new Error("stop");
    const pending = downloadFile(REPO, FILE, {
      cacheDir,
      signal: controller.signal,
      onProgress: (p) => p.downloadedBytes > 0 && controller.abort(reason),
    }, { endpoint: hub.endpoint });
    const error = await pending.catch((e) => e);
    assertEquals(error, reason);
    const partial = join(
      cacheDir,
      "models--ggml-org--models",
      "blobs",
      `${hub.file(REPO, FILE).sha256}.incomplete`,
    );
    assert((await Deno.stat(partial)).size > 0);
  });
});

Deno.test("downloadFile() refuses to start when the file will not fit on the disk", async () => {
  await withHub(async (hub, cacheDir) => {
    // a hub that announces a petabyte-sized file
    const huge: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method !== "HEAD") return response;
      const headers = new Headers(response.headers);
      headers.set("X-Linked-Size", String(2 ** 50));
      return new Response(null, { status: response.status, headers });
    };
    const error = await assertRejects(
      () => downloadFile(REPO, FILE, { cacheDir }, { endpoint: hub.endpoint, fetch: huge }),
      DiskSpaceError,
      "needed but only",
    );
    assertEquals(error.neededBytes, 2 ** 50);
    assertEquals(cdnGets(hub).length, 0);
    const blobs = join(cacheDir, "models--ggml-org--models", "blobs");
    assertEquals([...Deno.readDirSync(blobs)], []);
  });
});

Deno.test("downloadFile() calls for the same file share one transfer through the lock", async () => {
  await withHub(async (hub, cacheDir) => {
    hub.faults.bytesPerSecond = 3_000_000;
    const options = { endpoint: hub.endpoint };
    const [a, b] = await Promise.all([
      downloadFile(REPO, FILE, { cacheDir }, options),
      downloadFile(REPO, FILE, { cacheDir }, options),
    ]);
    assertEquals(a.path, b.path);
    assertEquals([a.downloaded, b.downloaded].sort(), [false, true]);
    assertEquals(cdnGets(hub).length, 1);
  });
});

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
