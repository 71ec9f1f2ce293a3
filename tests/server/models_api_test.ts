/**
 * The model browser's API over real HTTP: the library, memory fit, the fake hub
 * (search, repo view, fit before download), downloads into a temp Hugging Face cache.
 */
import { assert, assertEquals } from "../assert.ts";
import { AppApi, appJson, waitFor } from "./_app_api.ts";
import { startApp } from "../../cli/app.ts";
import { startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K_CHATML, SYNTHETIC_135M } from "../models.ts";

Deno.test("model browser API: library, fit, hub search, fit before download, download", async () => {
  const hub = await startFakeHub({
    repos: [{
      id: "tiny/stories",
      downloads: 42,
      files: [
        { path: "stories-Q4_K_M.gguf", source: STORIES_260K_CHATML },
        { path: "README.md", bytes: new TextEncoder().encode("# Tiny stories\n\nA test model.") },
      ],
    }, { id: "synthetic/smol", files: [{ path: "smol-Q4_K_M.gguf", source: SYNTHETIC_135M }] }],
  });
  const temp = await Deno.makeTempDir();
  const cacheDir = `${temp}/hub`;
  const app = await startApp({
    dataDir: `${temp}/data`,
    loadDefaultModel: false,
    hub: { endpoint: hub.endpoint, token: undefined, cacheDir },
    libraryRoots: [{ kind: "hf-cache", path: cacheDir }],
  });
  const api = (method: string, path: string, body?: unknown) => appJson(app, method, path, body);
  try {
    const bundled = await waitFor("the bundled model in the library", async () => {
      const { models } = await api("GET", "/api/models");
      // deno-lint-ignore no-explicit-any
      return models.find((m: any) => m.bundled);
    }, 30_000);
    assertEquals(bundled.source, "bundled");
    assertEquals(bundled.context_length, 2048);
    const fit = await api("GET", `/api/models/${bundled.id}/fit?n_ctx=2048`);
    assertEquals(fit.verdict, "fits");
    assertEquals(fit.devices[0].device, "CPU");
    assertEquals(fit.devices[0].weights_bytes, 1171200);
    // The estimate is for the app's slots: n_parallel KV caches of n_ctx tokens each.
    assertEquals(fit.n_ctx, 2048);
    const slots = fit.n_parallel;
    assert(slots > 1, "the default settings have several slots");
    await api("PATCH", "/api/settings", { n_parallel: 1 });
    const one = await api("GET", `/api/models/${bundled.id}/fit?n_ctx=2048`);
    assertEquals(one.n_parallel, 1);
    assertEquals(fit.devices[0].kv_cache_bytes, one.devices[0].kv_cache_bytes * slots);

    const search = await api("GET", "/api/hub/search?q=stories&sort=downloads");
    assertEquals(search.models.map((m: { id: string }) => m.id), ["tiny/stories"]);
    const repo = await api("GET", "/api/hub/repos/tiny/stories");
    assertEquals(repo.default_file, "stories-Q4_K_M.gguf");
    assertEquals(repo.files[0].quant, "Q4_K_M");
    assert(repo.readme.includes("Tiny stories"));

    // Before downloading a byte of weights, llama.cpp's simulation on a header-only
    // stand-in gives the same numbers as on the real file.
    const sent = () => hub.requests.reduce((sum, r) => sum + r.bytesSent, 0);
    const before = sent();
    const remote = await api(
      "GET",
      "/api/hub/repos/synthetic/smol/fit?file=smol-Q4_K_M.gguf&n_ctx=4096",
    );
    const smolBytes = (await Deno.stat(SYNTHETIC_135M)).size;
    const read = sent() - before;
    assert(read > 0 && read < smolBytes / 10, `read ${read} of ${smolBytes} bytes`);
    assertEquals(remote.devices[0].weights_bytes, 104344740);
    assertEquals(remote.n_ctx, 4096);
    assertEquals(remote.method, "simulation");

    // The header's facts, read over HTTP ranges as the library reads a local file.
    const before2 = sent();
    const meta = await api(
      "GET",
      "/api/hub/repos/synthetic/smol/metadata?file=smol-Q4_K_M.gguf",
    );
    assert(sent() - before2 < smolBytes / 10, "only the header is read");
    assertEquals(meta, {
      repo: "synthetic/smol",
      file: "smol-Q4_K_M.gguf",
      parts: 1,
      architecture: "llama",
      name: "synthetic SmolLM2-135M shape",
      n_params: 135151488, // summed tensor elements: the header has no parameter_count
      quantization: "Q4_K_M",
      context_length: 8192,
      n_layer: 30,
      n_embd: 576,
      n_head: 9,
      n_head_kv: 3,
      has_chat_template: false,
      license: null,
      base_model: null,
      base_model_repo_url: null,
    });
    const missing = await fetch(
      `${app.origin}/api/hub/repos/synthetic/smol/metadata?file=nope.gguf`,
      { headers: { authorization: `Bearer ${app.secret}` } },
    );
    assertEquals(missing.status, 404);
    assert((await missing.json()).error.message.includes("nope.gguf"));
    const stories = await api(
      "GET",
      "/api/hub/repos/tiny/stories/metadata?file=stories-Q4_K_M.gguf",
    );

    const started = await api("POST", "/api/downloads", {
      repo: "tiny/stories",
      file: "stories-Q4_K_M.gguf",
    });
    const done = await waitFor("the download to finish", async () => {
      const { downloads } = await api("GET", "/api/downloads");
      // deno-lint-ignore no-explicit-any
      const d = downloads.find((x: any) => x.id === started.id);
      assert(d.state !== "error", d.error);
      return d.state === "done" ? d : undefined;
    }, 30_000);
    assert(done.path.includes("models--tiny--stories"));
    const local = await waitFor("the download in the library", async () => {
      const { models } = await api("GET", "/api/models");
      // deno-lint-ignore no-explicit-any
      return models.find((m: any) => m.hf_repo === "tiny/stories");
    }, 30_000);
    assertEquals(local.has_chat_template, true);
    // The hub view and the library agree on every fact they both show.
    for (
      const key of [
        "architecture",
        "n_params",
        "quantization",
        "context_length",
        "n_layer",
        "has_chat_template",
        "license",
        "base_model",
      ]
    ) {
      assertEquals(stories[key], local[key], key);
    }
    const verified = await api("POST", `/api/models/${local.id}/verify`);
    assertEquals(verified.ok, true);
    await api("DELETE", `/api/models/${local.id}`);
    const after = await api("GET", "/api/models");
    // deno-lint-ignore no-explicit-any
    assert(!after.models.some((m: any) => m.id === local.id));
  } finally {
    await app.close();
    await hub.close();
    await Deno.remove(temp, { recursive: true });
  }
});

Deno.test("POST /api/models/load refuses a file the library lists as broken, naming the reason", async () => {
  const temp = await Deno.makeTempDir();
  const folder = `${temp}/models`;
  await Deno.mkdir(folder);
  const broken = `${folder}/broken.gguf`;
  await Deno.writeFile(broken, new Uint8Array(64)); // zero magic: not a GGUF
  const app = await startApp({
    dataDir: `${temp}/data`,
    loadDefaultModel: false,
    hub: { endpoint: "http://127.0.0.1:9", token: undefined, cacheDir: `${temp}/hub` },
    libraryRoots: [{ kind: "folder", path: folder }],
  });
  const client = new AppApi(app);
  const call = (method: string, path: string, body?: unknown) => client.request(method, path, body);
  try {
    const listed = await waitFor("the broken file", async () => {
      const { models } = await (await call("GET", "/api/models")).json();
      return models.find((m: { path: string }) => m.path === broken);
    }, 30_000);
    assert(listed.broken_reason, "the library lists it as broken");
    const refused = await call("POST", "/api/models/load", { path: broken });
    assertEquals(refused.status, 422);
    const { error } = await refused.json();
    assertEquals(error.type, "model_broken");
    assertEquals(error.broken_reason, listed.broken_reason);
    assert(error.message.includes(listed.broken_reason), error.message);
    const state = await (await call("GET", "/api/state")).json();
    assertEquals(state.loading, null, "no load started");
  } finally {
    await app.close();
    await Deno.remove(temp, { recursive: true });
  }
});
