/**
 * Load options saved per model, over the real app server and engine: saved and read back in
 * llama.cpp's names, validated, and applied at the model's next load (a reply reloads it).
 */
import { assert, assertEquals } from "../assert.ts";
import { type Json, withApp } from "./_app_api.ts";

Deno.test("app server: per-model load options are saved and the next reply loads with them", async () => {
  await withApp(async (_app, api) => {
    const { loaded } = await api.json("GET", "/api/state");
    const path = loaded.path;
    assertEquals(await api.json("GET", `/api/model-options?path=${encodeURIComponent(path)}`), {
      path,
      options: {},
    });
    const options = {
      n_ctx: 512,
      n_gpu_layers: 0,
      n_threads: 2,
      flash_attn: "off",
      cache_type_k: "q8_0",
      use_mmap: false,
      use_mlock: true,
      cache_type_v: null, // null = the default: not saved
    };
    const saved = await api.json("PUT", "/api/model-options", { path, options });
    const { cache_type_v: _, ...kept } = options;
    assertEquals(saved, { path, options: kept });
    for (
      const bad of [{ n_ctx: 1 }, { flash_attn: "yes" }, { cache_type_k: "q2" }, { mlock: true }, {
        use_mlock: "yes",
      }]
    ) {
      const response = await api.request("PUT", "/api/model-options", { path, options: bad });
      assertEquals(response.status, 400, JSON.stringify(bad));
      await response.body?.cancel();
    }

    // A reply needs the model with the new options: it reloads it with them.
    const chat = await api.json("POST", "/api/chats", { sampling: { max_tokens: 4 } });
    const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
      content: "Once upon a time",
      parent_id: null,
    });
    const events = await api.events(`/api/messages/${sent.assistant.id}/stream`);
    assertEquals(events.at(-1)!.event, "done", JSON.stringify(events.at(-1)));
    const state: Json = await api.json("GET", "/api/state");
    assertEquals(state.loaded.n_ctx, 512, "the model's own n_ctx");
    assertEquals(state.loaded.n_layers_offloaded, 0);
    // use_mlock: the weights are locked in this process's RAM (the app runs in it).
    const locked = /VmLck:\s+(\d+) kB/.exec(await Deno.readTextFile("/proc/self/status"));
    assert(Number(locked?.[1]) > 0, `VmLck ${locked?.[1]} kB`);

    assertEquals(await api.json("PUT", "/api/model-options", { path, options: {} }), {
      path,
      options: {},
    });
  });
});
