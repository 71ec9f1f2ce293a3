/**
 * LoRA adapters on the app's loaded model over the UI API: add, scale, remove, and the
 * errors, with the real engine and the bundled model.
 */
import { assertEquals } from "../assert.ts";
import { withApp } from "./_app_api.ts";
import { STORIES_260K, STORIES_260K_LORA_RANDOM } from "../models.ts";

Deno.test("/api/models/loras adds, scales and removes adapters of the loaded model", async () => {
  await withApp(async (_app, api) => {
    const added = await api.json("POST", "/api/models/loras", { path: STORIES_260K_LORA_RANDOM });
    assertEquals(added.loras, [{
      id: 1,
      path: STORIES_260K_LORA_RANDOM,
      name: "stories260K-lora-random.gguf",
      scale: 1,
      effective_scale: 1, // alpha 4 / rank 4
    }]);
    const scaled = await api.json("PATCH", "/api/models/loras/1", { scale: 0.5 });
    assertEquals(scaled.loras[0].scale, 0.5);
    assertEquals((await api.json("GET", "/api/state")).loaded.loras[0].scale, 0.5);

    const notAdapter = await api.request("POST", "/api/models/loras", { path: STORIES_260K });
    assertEquals(notAdapter.status, 422);
    assertEquals((await notAdapter.json()).error.type, "invalid_lora_adapter");
    const unknown = await api.request("PATCH", "/api/models/loras/9", { scale: 1 });
    assertEquals(unknown.status, 400);
    await unknown.body?.cancel();

    assertEquals((await api.json("DELETE", "/api/models/loras/1")).loras, []);
  });
});
