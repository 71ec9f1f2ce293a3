import { assert, assertEquals } from "../assert.ts";
import { STORIES_260K, STORIES_260K_CHATML } from "../models.ts";
import { sha256Hex, TempTree, TestLibrary } from "./_tree.ts";

const REV1 = "499bc8821c6b12b4e53c5bffcb21ec206f212d81";
const REV2 = "0123456789abcdef0123456789abcdef01234567";

/**
 * A Hugging Face hub cache as huggingface_hub leaves it: blobs named by sha256 (LFS) or
 * git sha1, snapshot links into them, refs, locks and a download in progress.
 */
async function hfCache(tree: TempTree) {
  const stories = Deno.readFileSync(STORIES_260K);
  const chatml = Deno.readFileSync(STORIES_260K_CHATML);
  const storiesSha = await sha256Hex(stories);
  const chatmlSha = await sha256Hex(chatml);
  const repo = "hub/models--ggml-org--models";
  tree.write(`${repo}/blobs/${storiesSha}`, stories);
  tree.write(`${repo}/blobs/${chatmlSha}`, chatml);
  tree.write(`${repo}/blobs/a945bfc3fe886d62f15aab34b798331ff433e85e`, "# README\n");
  tree.write(`${repo}/blobs/${"c".repeat(64)}.incomplete`, stories.subarray(0, 1000));
  tree.write(`${repo}/refs/main`, REV2);
  tree.write(`hub/.locks/models--ggml-org--models/${storiesSha}.lock`, "");
  const up = "../../../blobs";
  tree.link(`${repo}/snapshots/${REV1}/tinyllamas/stories260K.gguf`, `${up}/${storiesSha}`);
  tree.link(`${repo}/snapshots/${REV2}/tinyllamas/stories260K.gguf`, `${up}/${storiesSha}`);
  tree.link(`${repo}/snapshots/${REV2}/tinyllamas/chatml.gguf`, `${up}/${chatmlSha}`);
  tree.link(
    `${repo}/snapshots/${REV2}/README.md`,
    "../../blobs/a945bfc3fe886d62f15aab34b798331ff433e85e",
  );
  // Old-style repo without an org, and a dataset that is never listed.
  tree.copy(STORIES_260K, `hub/models--gpt2/snapshots/${REV1}/model.gguf`);
  tree.copy(STORIES_260K, `hub/datasets--org--data/snapshots/${REV1}/data.gguf`);
  return { repo: tree.path(repo), storiesSha, chatmlSha };
}

Deno.test("ModelLibrary.scan() lists HF cache files under repo id and revision with the blob's sha256", async () => {
  using tree = new TempTree();
  const { repo, storiesSha, chatmlSha } = await hfCache(tree);
  await using t = new TestLibrary([{ kind: "hf-cache", path: tree.path("hub") }]);

  await t.library.scan();
  const models = t.library.list();
  assertEquals(
    models.map((m) => [m.hf?.repo, m.hf?.revision, m.path.slice(tree.dir.length + 4)]),
    [
      [
        "ggml-org/models",
        REV2,
        `/models--ggml-org--models/snapshots/${REV2}/tinyllamas/chatml.gguf`,
      ],
      [
        "ggml-org/models",
        REV2,
        `/models--ggml-org--models/snapshots/${REV2}/tinyllamas/stories260K.gguf`,
      ],
      [
        "ggml-org/models",
        REV1,
        `/models--ggml-org--models/snapshots/${REV1}/tinyllamas/stories260K.gguf`,
      ],
      ["gpt2", REV1, `/models--gpt2/snapshots/${REV1}/model.gguf`],
    ],
  );
  const [chatml, stories2, stories1, gpt2] = models; // sorted by path: REV2 < REV1
  assertEquals([stories1.sha256, stories2.sha256, chatml.sha256], [
    storiesSha,
    storiesSha,
    chatmlSha,
  ]);
  assertEquals(gpt2.sha256, null); // a copy, not a link: no blob name to go by
  assertEquals(stories1.sizeBytes, 1_185_376);
  assertEquals(stories1.mtimeMs, Deno.statSync(`${repo}/blobs/${storiesSha}`).mtime!.getTime());
  assertEquals([stories1.root.kind, stories1.broken, stories1.nLayer], ["hf-cache", false, 5]);
  assertEquals(chatml.hasChatTemplate, true);
  assertEquals(t.library.list({ hfRepo: "ggml-org/models" }).length, 3);
});

Deno.test("ModelLibrary.remove() with deleteFile removes the HF link and the blob once orphaned", async () => {
  using tree = new TempTree();
  const { repo, storiesSha, chatmlSha } = await hfCache(tree);
  await using t = new TestLibrary([{ kind: "hf-cache", path: tree.path("hub") }]);
  await t.library.scan();
  const [chatml, stories2, stories1] = t.library.list();
  const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

  // REV2 still links to the blob: only REV1's link goes.
  await t.library.remove(stories1.id, { deleteFile: true });
  assertEquals(await exists(stories1.path), false);
  assertEquals(await exists(`${repo}/blobs/${storiesSha}`), true);
  assertEquals(t.library.get(stories1.id), null);
  assertEquals(t.events.at(-1), { added: [], updated: [], removed: [stories1] });

  await t.library.remove(stories2.id, { deleteFile: true });
  assertEquals(await exists(stories2.path), false);
  assertEquals(await exists(`${repo}/blobs/${storiesSha}`), false);
  // Everything else is left alone.
  assert(await exists(chatml.path));
  assert(await exists(`${repo}/blobs/${chatmlSha}`));
  assert(await exists(`${repo}/refs/main`));
  assertEquals(t.library.list().map((m) => m.id).includes(chatml.id), true);
  const rescan = await t.library.scan();
  assertEquals([rescan.added, rescan.removed, rescan.unchanged], [[], [], 2]);
});

Deno.test("ModelLibrary.verify() checks HF blobs against their names and finds a flipped byte", async () => {
  using tree = new TempTree();
  const { repo, storiesSha, chatmlSha } = await hfCache(tree);
  await using t = new TestLibrary([{ kind: "hf-cache", path: tree.path("hub") }]);
  await t.library.scan();
  const [chatml, , stories1] = t.library.list();

  const progress: number[] = [];
  const good = await t.library.verify(chatml.id, (p) => progress.push(p.hashedBytes));
  assertEquals(good, { ok: true, sha256: chatmlSha, expectedSha256: chatmlSha });
  assertEquals(progress.at(-1), 1_185_600);
  assert(t.library.get(chatml.id)!.verifiedAtMs !== null);

  // One byte of tensor data flips: the header still validates, the hash does not.
  using blob = await Deno.open(`${repo}/blobs/${storiesSha}`, { read: true, write: true });
  const at = 1_000_000;
  const byte = new Uint8Array(1);
  await blob.seek(at, Deno.SeekMode.Start);
  await blob.read(byte);
  await blob.seek(at, Deno.SeekMode.Start);
  await blob.write(new Uint8Array([byte[0] ^ 0xff]));

  const bad = await t.library.verify(stories1.id);
  assertEquals([bad.ok, bad.expectedSha256], [false, storiesSha]);
  assert(bad.sha256 !== storiesSha);
  const flagged = t.library.get(stories1.id)!;
  assertEquals([flagged.broken, flagged.sha256], [true, storiesSha]);
  assert(flagged.brokenReason!.startsWith("sha256 mismatch"), flagged.brokenReason!);
  // A rescan leaves the verdict: the file did not change since.
  await t.library.scan();
  assertEquals(t.library.get(stories1.id)!.broken, true);
  assertEquals(t.library.list({ broken: false }).map((m) => m.id).includes(stories1.id), false);
});

Deno.test("ModelLibrary.scan() lists a file reached from two nested roots once", async () => {
  using tree = new TempTree();
  await hfCache(tree);
  const snapshot = tree.path(`hub/models--ggml-org--models/snapshots/${REV2}`);
  await using t = new TestLibrary([{ kind: "hf-cache", path: tree.path("hub") }]);
  t.storage.modelFolders.add(snapshot);
  const result = await t.library.scan();
  assertEquals(result.added.length, 4);
  const inSnapshot = t.library.list().filter((m) => m.path.startsWith(snapshot));
  assertEquals(inSnapshot.map((m) => [m.root.path, m.hf?.repo]), [
    [snapshot, "ggml-org/models"],
    [snapshot, "ggml-org/models"],
  ]);
});
