/**
 * The Hugging Face token typed in Settings, over real HTTP with the fake hub: saved
 * write-only in a 0600 file (never in the database, never answered back), used by the next
 * hub request without a restart, in place of `HF_TOKEN`, and removable.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { AppApi, type Json, waitFor } from "./_app_api.ts";
import { startApp } from "../../cli/app.ts";
import { startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K_CHATML } from "../models.ts";
import { HUB_TOKEN_FILE } from "../../app/hub_token.ts";

const REPO = "meta/gated-stories";
const FILE = "stories-Q4_K_M.gguf";

Deno.test("app server: a Hugging Face token saved in Settings opens a gated repo at once", async () => {
  const hub = await startFakeHub({
    repos: [{ id: REPO, gated: "manual", files: [{ path: FILE, source: STORIES_260K_CHATML }] }],
    tokens: ["hf_secret_token"],
  });
  const temp = await Deno.makeTempDir();
  const dataDir = join(temp, "data");
  const app = await startApp({
    dataDir,
    loadDefaultModel: false,
    hub: { endpoint: hub.endpoint, token: "hf_env_token", cacheDir: join(temp, "hub") },
    libraryRoots: [],
  });
  try {
    const api = new AppApi(app);
    assertEquals(await api.json("GET", "/api/hub-token"), { source: "env" });
    const metadata = `/api/hub/repos/${REPO}/metadata?file=${FILE}`;
    const refused = await api.request("GET", metadata);
    assert(!refused.ok, "the environment's token has no access");
    await refused.body?.cancel();

    const saved = await api.request("PUT", "/api/hub-token", { token: " hf_secret_token " });
    const text = await saved.text();
    assertEquals(JSON.parse(text), { source: "settings" });
    assert(!text.includes("hf_secret"), "the token is never sent back");
    assertEquals(await api.json("GET", "/api/hub-token"), { source: "settings" });
    const info = await Deno.stat(join(dataDir, HUB_TOKEN_FILE));
    assertEquals(info.mode! & 0o777, 0o600);
    const db = await Deno.readFile(join(dataDir, "hearth.db"));
    assert(!new TextDecoder().decode(db).includes("hf_secret_token"), "not in the database");

    // The next request uses it: no restart.
    const header: Json = await api.json("GET", metadata);
    assertEquals(header.file, FILE);
    const started: Json = await api.json("POST", "/api/downloads", { repo: REPO, file: FILE });
    await waitFor("the download", async () => {
      const { downloads } = await api.json("GET", "/api/downloads");
      return downloads.find((d: Json) => d.id === started.id)?.state === "done";
    });
    const last = hub.requests.filter((r) => r.path.includes(FILE)).at(-1)!;
    assertEquals(last.authorization, "Bearer hf_secret_token");

    const bad = await api.request("PUT", "/api/hub-token", { token: "two words" });
    assertEquals(bad.status, 400);
    await bad.body?.cancel();
    assertEquals(await api.json("PUT", "/api/hub-token", { token: null }), { source: "env" });
  } finally {
    await app.close();
    await hub.close();
    await Deno.remove(temp, { recursive: true });
  }
});
