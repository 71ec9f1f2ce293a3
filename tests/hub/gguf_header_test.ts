import { assert, assertEquals, assertRejects } from "../assert.ts";
import { type FakeHub, startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K, SYNTHETIC_135M } from "../models.ts";
import { SYNTHETIC_135M_SHA256 } from "./_helpers.ts";
import { ggufHeaderRemote, HubError } from "../../hub/mod.ts";

async function withHub(fn: (hub: FakeHub) => Promise<void>) {
  const hub = await startFakeHub({
    tokens: ["hf_ok"],
    repos: [
      {
        id: "ggml-org/models",
        files: [
          { path: "tinyllamas/stories260K.gguf", source: STORIES_260K },
          {
            path: "synthetic-135m-Q4_K_M.gguf",
            source: SYNTHETIC_135M,
            sha256: SYNTHETIC_135M_SHA256,
          },
          { path: "not-really.gguf", bytes: new TextEncoder().encode("<html>nope</html>") },
        ],
      },
      { id: "meta/gated", gated: "manual", files: [{ path: "m.gguf", source: STORIES_260K }] },
    ],
  });
  try {
    await fn(hub);
  } finally {
    await hub.close();
  }
}

const fileBytes = (hub: FakeHub) =>
  hub.requests.filter((r) => r.path.startsWith("/cdn/")).reduce((n, r) => n + r.bytesSent, 0);

Deno.test("ggufHeaderRemote() reads stories260K's architecture and context length with Range", async () => {
  await withHub(async (hub) => {
    const header = await ggufHeaderRemote("ggml-org/models", "tinyllamas/stories260K.gguf", {}, {
      endpoint: hub.endpoint,
    });
    assertEquals([header?.architecture, header?.contextLength], ["llama", 2048]);
    assertEquals(header?.tensorInfos.length, 48);
    assertEquals(header?.metadata["llama.embedding_length"], 64);
    const cdn = hub.requests.filter((r) => r.path.startsWith("/cdn/"));
    assert(cdn.length > 0 && cdn.every((r) => r.range?.startsWith("bytes=0-")), "range reads");
    assertEquals(cdn[0].status, 206);
    // @huggingface/gguf reads 2 MB chunks, more than this 1.2 MB file: the range covers it
    assert(fileBytes(hub) <= (await Deno.stat(STORIES_260K)).size);
  });
});

Deno.test("ggufHeaderRemote() reads a 106 MB model's header in a few MB", async () => {
  await withHub(async (hub) => {
    const header = await ggufHeaderRemote("ggml-org/models", "synthetic-135m-Q4_K_M.gguf", {}, {
      endpoint: hub.endpoint,
    });
    assertEquals([header?.architecture, header?.contextLength], ["llama", 8192]);
    const size = (await Deno.stat(SYNTHETIC_135M)).size;
    assert(fileBytes(hub) < size / 20, `read ${fileBytes(hub)} of ${size} bytes`);
    assert(hub.requests.filter((r) => r.range !== null).length >= 1);
  });
});

Deno.test("ggufHeaderRemote() needs the token for gated repos, and returns null for 404", async () => {
  await withHub(async (hub) => {
    const anonymous = { endpoint: hub.endpoint };
    const error = await assertRejects(
      () => ggufHeaderRemote("meta/gated", "m.gguf", {}, anonymous),
      HubError,
      "accept the license",
    );
    assertEquals([error.code, error.status], ["unauthorized", 401]);
    const header = await ggufHeaderRemote("meta/gated", "m.gguf", {}, {
      ...anonymous,
      token: "hf_ok",
    });
    assertEquals(header?.architecture, "llama");
    assertEquals(await ggufHeaderRemote("ggml-org/models", "missing.gguf", {}, anonymous), null);
  });
});

Deno.test("ggufHeaderRemote() throws SyntaxError for a file that is not GGUF", async () => {
  await withHub(async (hub) => {
    await assertRejects(
      () => ggufHeaderRemote("ggml-org/models", "not-really.gguf", {}, { endpoint: hub.endpoint }),
      SyntaxError,
      "GGUF magic",
    );
  });
});
