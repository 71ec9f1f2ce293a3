import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { type FakeHub, startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K } from "../models.ts";
import { cdnGets, sha256Hex } from "./_helpers.ts";
import { downloadFile, HubError } from "../../hub/mod.ts";

const GATED = "meta-llama/Tiny-GGUF";
const OPEN = "ggml-org/models";
const FILE = "stories260K.gguf";

async function withHub(fn: (hub: FakeHub, cacheDir: string) => Promise<void>) {
  const cacheDir = await Deno.makeTempDir({ prefix: "hub-cache-" });
  const hub = await startFakeHub({
    tokens: ["hf_granted"],
    repos: [
      { id: GATED, gated: "manual", files: [{ path: FILE, source: STORIES_260K }] },
      { id: OPEN, files: [{ path: FILE, source: STORIES_260K }] },
    ],
  });
  try {
    await fn(hub, cacheDir);
  } finally {
    await hub.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
}

Deno.test("downloadFile() explains a gated repo: 401 without a token, 403 with a wrong one", async () => {
  await withHub(async (hub, cacheDir) => {
    const anonymous = await assertRejects(
      () => downloadFile(GATED, FILE, { cacheDir }, { endpoint: hub.endpoint }),
      HubError,
      `accept the license on the model page (${hub.endpoint}/${GATED}) or set HF_TOKEN`,
    );
    assertEquals([anonymous.code, anonymous.status], ["unauthorized", 401]);
    assert(anonymous.message.includes("is restricted"), anonymous.message);
    assert(anonymous.requestId?.startsWith("Root="), "the hub's request id is kept");
    const wrong = await assertRejects(
      () => downloadFile(GATED, FILE, { cacheDir }, { endpoint: hub.endpoint, token: "hf_other" }),
      HubError,
      "gated or private",
    );
    assertEquals(wrong.status, 403);
    assertEquals(hub.requests.filter((r) => r.path.includes("/resolve/")).length, 2, "no retries");
  });
});

Deno.test("downloadFile() downloads a gated file with a token that has access", async () => {
  await withHub(async (hub, cacheDir) => {
    const result = await downloadFile(GATED, FILE, { cacheDir }, {
      endpoint: hub.endpoint,
      token: "hf_granted",
    });
    assertEquals(await sha256Hex(result.path), await sha256Hex(STORIES_260K));
    const resolve = hub.requests.find((r) => r.path.includes("/resolve/"));
    assertEquals(resolve?.authorization, "Bearer hf_granted");
  });
});

Deno.test("downloadFile() reports missing files and repos as not_found", async () => {
  await withHub(async (hub, cacheDir) => {
    const options = { endpoint: hub.endpoint };
    const file = await assertRejects(
      () => downloadFile(OPEN, "nope.gguf", { cacheDir }, options),
      HubError,
      "not found",
    );
    assertEquals([file.code, file.status], ["not_found", 404]);
    // anonymous callers get 401 RepoNotFound for repos that do not exist, as on the hub
    const repo = await assertRejects(
      () => downloadFile("nobody/nothing", FILE, { cacheDir }, options),
      HubError,
    );
    assertEquals([repo.code, repo.status], ["not_found", 401]);
    await assertRejects(() => downloadFile("../evil", FILE, { cacheDir }, options), TypeError);
    await assertRejects(() => downloadFile(OPEN, "../../x", { cacheDir }, options), TypeError);
  });
});

Deno.test("downloadFile() waits out 429 Retry-After and succeeds", async () => {
  await withHub(async (hub, cacheDir) => {
    hub.faults.rateLimit = { count: 1, retryAfterSeconds: 1, pathIncludes: "/cdn/" };
    const started = performance.now();
    const result = await downloadFile(OPEN, FILE, { cacheDir, retryDelayMs: 5 }, {
      endpoint: hub.endpoint,
    });
    const waitedMs = performance.now() - started;
    assert(waitedMs >= 950, `waited ${waitedMs} ms, Retry-After said 1 s`);
    assertEquals(cdnGets(hub).map((r) => r.status), [429, 200]);
    assertEquals(await sha256Hex(result.path), await sha256Hex(STORIES_260K));
  });
});

Deno.test("downloadFile() retries 5xx with backoff and gives up after maxRetries", async () => {
  await withHub(async (hub, cacheDir) => {
    const options = { endpoint: hub.endpoint };
    hub.faults.serverErrors = { count: 3, pathIncludes: "/resolve/" };
    const ok = await downloadFile(OPEN, FILE, { cacheDir, retryDelayMs: 5 }, options);
    assertEquals(ok.downloaded, true);
    await Deno.remove(join(cacheDir, "models--ggml-org--models"), { recursive: true });
    hub.faults.serverErrors = { count: 3, pathIncludes: "/cdn/" };
    const error = await assertRejects(
      () => downloadFile(OPEN, FILE, { cacheDir, retryDelayMs: 5, maxRetries: 2 }, options),
      HubError,
      "try again later",
    );
    assertEquals([error.code, error.status], ["server", 503]);
  });
});
