/**
 * The per-model device load option (`variant`: cpu, vulkan, cuda, metal) over the real app
 * server and engine: the detected kinds are listed, a saved kind loads the model on its
 * prebuilt package (a new engine when the running one runs another), and the loaded model
 * reports the package and its devices. Vulkan runs on Mesa's lavapipe here (a real Vulkan
 * driver on the CPU), which ggml uses only when GGML_VK_VISIBLE_DEVICES names it.
 */
import { assert, assertEquals } from "../assert.ts";
import { detectDevices, deviceFacts } from "../../ffi/devices.ts";
import { type AppApi, type Json, waitFor, withApp } from "./_app_api.ts";

/** Saves `options` for `path`, asks for a load, and returns the state once `done` holds. */
async function loadWith(
  api: AppApi,
  path: string,
  options: Json,
  done: (loaded: Json) => boolean,
): Promise<Json> {
  await api.json("PUT", "/api/model-options", { path, options });
  const response = await api.request("POST", "/api/models/load", { path });
  assertEquals(response.status, 202, await response.text());
  return await waitFor("the load with the saved options", async () => {
    const state = await api.json("GET", "/api/state");
    assertEquals(state.load_error, null, JSON.stringify(state.load_error));
    return state.loading === null && state.loaded !== null && done(state.loaded) && state.loaded;
  });
}

Deno.test("app server: a model saved with variant cpu loads on the CPU package and says so", async () => {
  await withApp(async (_app, api) => {
    const { devices } = await api.json("GET", "/api/model-options/devices");
    assertEquals(devices.map((d: Json) => d.device), ["cpu", "vulkan", "cuda", "metal"]);
    const cpu = devices.find((d: Json) => d.device === "cpu");
    assertEquals([cpu.variant, cpu.detected], ["linux-x64", true]);
    assertEquals(devices.find((d: Json) => d.device === "metal").detected, false);

    const { loaded: before } = await api.json("GET", "/api/state");
    const path = before.path;
    const bad = await api.request("PUT", "/api/model-options", {
      path,
      options: { variant: "tpu" },
    });
    assertEquals(bad.status, 400);
    await bad.body?.cancel();

    // An undetected kind is refused at load (nothing fetched); the model stays loaded.
    const cuda = devices.find((d: Json) => d.device === "cuda");
    if (!cuda.detected) {
      await api.json("PUT", "/api/model-options", { path, options: { variant: "cuda" } });
      const response = await api.request("POST", "/api/models/load", { path });
      assertEquals(response.status, 202, await response.text());
      const failed = await waitFor("the refused load", async () => {
        const state = await api.json("GET", "/api/state");
        return state.loading === null && state.load_error !== null && state;
      });
      assert(failed.load_error.message.startsWith("Cannot load on cuda:"), failed.load_error);
      assertEquals([failed.loaded.path, failed.loaded.variant], [path, before.variant]);
    }

    const loaded = await loadWith(
      api,
      path,
      { variant: "cpu", n_ctx: 256 },
      (loaded) => loaded.n_ctx === 256,
    );
    assertEquals(
      await api.json("GET", `/api/model-options?path=${encodeURIComponent(path)}`),
      { path, options: { variant: "cpu", n_ctx: 256 } },
    );
    assertEquals(loaded.variant, "linux-x64");
    assertEquals(loaded.devices, ["CPU"]);

    // A reply generates on it.
    const chat = await api.json("POST", "/api/chats", { sampling: { max_tokens: 4 } });
    const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
      content: "Once upon a time",
      parent_id: null,
    });
    const events = await api.events(`/api/messages/${sent.assistant.id}/stream`);
    assertEquals(events.at(-1)!.event, "done", JSON.stringify(events.at(-1)));
  });
});

// Detected as if GGML_VK_VISIBLE_DEVICES=0 were set (the test sets it): a Vulkan loader and
// driver must be installed and the Vulkan package published for this OS and CPU.
const vulkan = detectDevices({ ...deviceFacts(), vkVisibleDevices: "0" })
  .find((d) => d.device === "vulkan")!;
if (!vulkan.detected) console.log(`skipping the Vulkan variant test: ${vulkan.reason}`);

Deno.test({
  name: "app server: a model saved with variant vulkan loads on Vulkan0; Auto goes back " +
    "(skipped without a Vulkan loader and driver)",
  ignore: !vulkan.detected,
  async fn() {
    // ggml-vulkan skips CPU-type Vulkan devices (lavapipe is one) unless they are named.
    Deno.env.set("GGML_VK_VISIBLE_DEVICES", "0");
    try {
      await withApp(async (_app, api) => {
        const { loaded: before } = await api.json("GET", "/api/state");
        assertEquals(before.variant, "linux-x64", "the machine's default here: no render node");
        const path = before.path;

        const onVulkan = await loadWith(
          api,
          path,
          { variant: "vulkan" },
          (loaded) => loaded.variant === "linux-x64-vulkan",
        );
        assert(onVulkan.devices.includes("Vulkan0"), JSON.stringify(onVulkan.devices));
        assert(onVulkan.n_layers_offloaded > 0, `offloaded ${onVulkan.n_layers_offloaded}`);
        // The resource panel reads the engine now running: the old one was closed.
        const resources = await waitFor("the Vulkan device in /api/resources", async () => {
          const r = await api.json("GET", "/api/resources");
          return r.devices.some((d: Json) => d.name === "Vulkan0") && r;
        });
        assert(resources.devices.length >= 2, JSON.stringify(resources.devices));

        // No saved device (Auto) loads on the machine's default package again.
        const back = await loadWith(api, path, {}, (loaded) => loaded.variant === "linux-x64");
        assertEquals(back.devices, ["CPU"]);
      });
    } finally {
      Deno.env.delete("GGML_VK_VISIBLE_DEVICES");
    }
  },
});
