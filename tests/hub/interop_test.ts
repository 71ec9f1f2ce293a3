import { downloadFileToCacheDir } from "@huggingface/hub";
import { assertEquals } from "../assert.ts";
import { type FakeHub, startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K } from "../models.ts";
import { cdnGets, sha256Hex } from "./_helpers.ts";
import { downloadFile } from "../../hub/mod.ts";

const REPO = "ggml-org/models";
const FILE = "stories260K.gguf";

async function withHub(fn: (hub: FakeHub, cacheDir: string) => Promise<void>) {
  const cacheDir = await Deno.makeTempDir({ prefix: "hub-cache-" });
  const hub = await startFakeHub({
    repos: [{ id: REPO, files: [{ path: FILE, source: STORIES_260K }] }],
  });
  try {
    await fn(hub, cacheDir);
  } finally {
    await hub.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
}

/** huggingface.js announces each download with console.debug; keep test output clean. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const debug = console.debug;
  console.debug = () => {};
  try {
    return await fn();
  } finally {
    console.debug = debug;
  }
}

Deno.test("downloadFile() finds a file huggingface.js put in the cache, without downloading", async () => {
  await withHub(async (hub, cacheDir) => {
    const theirs = await quietly(() =>
      downloadFileToCacheDir({ repo: REPO, path: FILE, cacheDir, hubUrl: hub.endpoint })
    );
    const gets = cdnGets(hub).length;
    const ours = await downloadFile(REPO, FILE, { cacheDir }, { endpoint: hub.endpoint });
    assertEquals([ours.path, ours.downloaded], [theirs, false]);
    assertEquals(cdnGets(hub).length, gets);
  });
});

Deno.test("huggingface.js finds a file downloadFile() put in the cache, without downloading", async () => {
  await withHub(async (hub, cacheDir) => {
    const ours = await downloadFile(REPO, FILE, { cacheDir }, { endpoint: hub.endpoint });
    const theirs = await quietly(() =>
      downloadFileToCacheDir({ repo: REPO, path: FILE, cacheDir, hubUrl: hub.endpoint })
    );
    assertEquals(theirs, ours.path);
    assertEquals(cdnGets(hub).length, 1);
    assertEquals(await sha256Hex(theirs), await sha256Hex(STORIES_260K));
  });
});
