import { assert, assertEquals } from "../assert.ts";
import { type FakeHub, startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K, STORIES_260K_CHATML, VOCAB_PHI3 } from "../models.ts";
import { sha256Hex, writeShards } from "./_helpers.ts";
import { getModelInfo, getReadme, listGgufFiles, pickDefaultQuant } from "../../hub/mod.ts";

const REPO = "test-org/stories-GGUF";
const CARD = "---\nlicense: mit\n---\n# Stories\n";

async function withHub(
  fn: (hub: FakeHub, shards: string[]) => Promise<void>,
  treePageSize?: number,
) {
  const dir = await Deno.makeTempDir();
  const shards = await writeShards(STORIES_260K, dir, "stories-Q4_K_M", 3);
  const hub = await startFakeHub({
    treePageSize,
    repos: [{
      id: REPO,
      gated: "auto",
      files: [
        { path: "README.md", bytes: new TextEncoder().encode(CARD) },
        { path: "config.json", bytes: new TextEncoder().encode("{}") },
        ...shards.map((source, i) => ({
          path: `split/stories-Q4_K_M-0000${i + 1}-of-00003.gguf`,
          source,
        })),
        { path: "stories-Q8_0.gguf", source: STORIES_260K_CHATML },
        { path: "mmproj-stories-f16.gguf", source: VOCAB_PHI3 },
      ],
    }, { id: "test-org/no-card", files: [{ path: "a.gguf", source: STORIES_260K }] }],
  });
  try {
    await fn(hub, shards);
  } finally {
    await hub.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("listGgufFiles() lists sizes, sha256, quant labels, split groups and mmproj", async () => {
  await withHub(async (hub, shards) => {
    const files = await listGgufFiles(REPO, {}, { endpoint: hub.endpoint });
    assert(files);
    assertEquals(files.map((f) => f.path), [
      "mmproj-stories-f16.gguf",
      "split/stories-Q4_K_M-00001-of-00003.gguf",
      "stories-Q8_0.gguf",
    ]);
    const [mmproj, split, q8] = files;
    assertEquals([mmproj.isMmproj, mmproj.quant], [true, "F16"]);
    assertEquals(q8, {
      path: "stories-Q8_0.gguf",
      sizeBytes: (await Deno.stat(STORIES_260K_CHATML)).size,
      sha256: await sha256Hex(STORIES_260K_CHATML),
      quant: "Q8_0",
      isMmproj: false,
      complete: true,
      parts: [{
        path: "stories-Q8_0.gguf",
        sizeBytes: (await Deno.stat(STORIES_260K_CHATML)).size,
        sha256: await sha256Hex(STORIES_260K_CHATML),
      }],
    });
    assertEquals(split.quant, "Q4_K_M");
    assertEquals(split.sha256, null);
    assertEquals(split.complete, true);
    assertEquals(split.sizeBytes, (await Deno.stat(STORIES_260K)).size);
    assertEquals(split.parts.map((p) => p.path.split("/")[1]), [
      "stories-Q4_K_M-00001-of-00003.gguf",
      "stories-Q4_K_M-00002-of-00003.gguf",
      "stories-Q4_K_M-00003-of-00003.gguf",
    ]);
    assertEquals(split.parts.map((p) => p.sha256), await Promise.all(shards.map(sha256Hex)));
    assertEquals(pickDefaultQuant(files)?.path, split.path);
    assert(hub.requests[0].path.includes("/tree/main?recursive=true"));
  });
});

Deno.test("listGgufFiles() follows the tree's Link pagination", async () => {
  await withHub(async (hub) => {
    const files = await listGgufFiles(REPO, {}, { endpoint: hub.endpoint });
    assertEquals(files?.length, 3);
    assert(hub.requests.filter((r) => r.path.includes("/tree/")).length >= 4);
  }, 2);
});

Deno.test("listGgufFiles() returns null for an unknown repo or revision", async () => {
  await withHub(async (hub) => {
    const options = { endpoint: hub.endpoint };
    assertEquals(await listGgufFiles("test-org/missing", {}, options), null);
    assertEquals(await listGgufFiles(REPO, { revision: "nope" }, options), null);
    const commit = hub.file(REPO, "README.md").commit;
    assertEquals((await listGgufFiles(REPO, { revision: commit }, options))?.length, 3);
  });
});

Deno.test("getReadme() returns the model card, or null without one", async () => {
  await withHub(async (hub) => {
    const options = { endpoint: hub.endpoint };
    assertEquals(await getReadme(REPO, {}, options), CARD); // README of a gated repo is public
    assertEquals(await getReadme("test-org/no-card", {}, options), null);
    assertEquals(await getReadme("test-org/missing", {}, options), null);
  });
});

Deno.test("getModelInfo() reports the gated flag and commit, or null", async () => {
  await withHub(async (hub) => {
    const options = { endpoint: hub.endpoint };
    const info = await getModelInfo(REPO, {}, options);
    assertEquals([info?.gated, info?.sha], ["auto", hub.file(REPO, "README.md").commit]);
    assertEquals(await getModelInfo("test-org/missing", {}, options), null);
  });
});
