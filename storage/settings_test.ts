import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertThrows } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";
import { DEFAULT_SETTINGS } from "./settings.ts";

Deno.test("SettingsStore.get() returns the defaults on a fresh database", () => {
  using temp = new TempDatabase();
  const { settings } = temp.open();
  assertEquals(settings.get(), {
    default_model: null,
    model_folders: [],
    theme: "system",
    sampling: {
      temperature: 0.8,
      top_p: 0.95,
      top_k: 40,
      min_p: 0.05,
      repeat_penalty: 1.0,
      max_tokens: -1,
      seed: -1,
    },
    n_ctx: 2048,
    n_parallel: 4,
    system_prompt: "",
    openai_server: {
      enabled: false,
      port: 8080,
      n_parallel: 2,
      n_ctx: 4096,
      all_interfaces: false,
      api_key_set: false,
    },
  });
  // A fresh copy each time: changing it changes nothing.
  settings.get().sampling.top_k = 1;
  assertEquals(settings.get().sampling.top_k, 40);
  assertEquals(DEFAULT_SETTINGS.sampling.top_k, 40);
});

Deno.test("SettingsStore.patch() merges sampling and persists across reopening", () => {
  using temp = new TempDatabase();
  const first = temp.open();
  const patched = first.settings.patch({
    theme: "dark",
    sampling: { temperature: 0.2 },
    n_ctx: 4096,
    n_parallel: 2,
    default_model: "/m/a.gguf",
    system_prompt: "Be kind.",
    window: { x: 10, y: 20, width: 800, height: 600 },
    model_folders: ["/models", "/more/models/"],
  });
  first.settings.patch({ sampling: { seed: 42 } });
  first.close();
  const again = temp.open().settings.get();
  assertEquals(again, {
    ...patched,
    sampling: { ...DEFAULT_SETTINGS.sampling, temperature: 0.2, seed: 42 },
  });
  assertEquals(again.model_folders, ["/models", "/more/models"]);
  assertEquals(again.window, { x: 10, y: 20, width: 800, height: 600 });
});

Deno.test("SettingsStore.patch() validates everything before writing anything", () => {
  using temp = new TempDatabase();
  const { settings } = temp.open();
  assertThrows(() => settings.patch({ theme: "pink" as never }), TypeError, '"theme"');
  assertThrows(() => settings.patch({ n_ctx: -1 }), RangeError, '"n_ctx"');
  assertThrows(() => settings.patch({ n_parallel: 0 }), RangeError, '"n_parallel"');
  assertThrows(() => settings.patch({ n_parallel: 257 }), RangeError, '"n_parallel"');
  assertThrows(() => settings.patch({ sampling: { min_p: 3 } }), RangeError, "sampling.min_p");
  assertThrows(() => settings.patch({ colour: "red" } as never), TypeError, "unknown field");
  assertThrows(
    () => settings.patch({ theme: "dark", model_folders: ["/ok", "relative"] }),
    TypeError,
    "not absolute",
  );
  assertEquals(settings.get(), structuredClone(DEFAULT_SETTINGS) as typeof DEFAULT_SETTINGS);
});

Deno.test("SettingsStore.patch() with window null forgets the geometry", () => {
  using temp = new TempDatabase();
  const { settings } = temp.open();
  settings.patch({ window: { x: 0, y: 0, width: 10, height: 10 } });
  assertEquals("window" in settings.patch({ window: null }), false);
});

Deno.test("SettingsStore.get() reads an invalid stored value as the default", () => {
  using temp = new TempDatabase();
  temp.open().close();
  {
    using db = new DatabaseSync(temp.path);
    db.exec(`INSERT INTO settings VALUES ('theme', '"pink"'), ('n_ctx', '512'),
      ('future_key', '1')`);
  }
  const settings = temp.open().settings.get();
  assertEquals(settings.theme, "system");
  assertEquals(settings.n_ctx, 512);
});

Deno.test("SettingsStore.patch() merges openai_server and keeps the API key out of get()", () => {
  using temp = new TempDatabase();
  const first = temp.open();
  first.settings.patch({ openai_server: { enabled: true, port: 0 } });
  const patched = first.settings.patch({
    openai_server: { api_key: "sk-local-123", n_parallel: 3, api_key_set: false },
  });
  assertEquals(patched.openai_server, {
    ...DEFAULT_SETTINGS.openai_server,
    enabled: true,
    port: 0,
    n_parallel: 3,
    api_key_set: true,
  });
  assertEquals(JSON.stringify(patched).includes("sk-local-123"), false);
  first.close();
  const again = temp.open();
  assertEquals(again.settings.get().openai_server.api_key_set, true);
  assertEquals(again.settings.openAiApiKey(), "sk-local-123");
  // Changing other fields leaves the key alone; "" removes it.
  again.settings.patch({ openai_server: { all_interfaces: true } });
  assertEquals(again.settings.openAiApiKey(), "sk-local-123");
  const cleared = again.settings.patch({ openai_server: { api_key: "" } });
  assertEquals(cleared.openai_server.api_key_set, false);
  assertEquals(again.settings.openAiApiKey(), null);
  assertEquals(cleared.openai_server.all_interfaces, true);
});

Deno.test("SettingsStore.patch() validates openai_server without echoing the key", () => {
  using temp = new TempDatabase();
  const { settings } = temp.open();
  assertThrows(
    () => settings.patch({ openai_server: { port: 70000 } }),
    RangeError,
    "openai_server.port",
  );
  assertThrows(
    () => settings.patch({ openai_server: { enabled: "yes" as never } }),
    TypeError,
    "openai_server.enabled",
  );
  assertThrows(
    () => settings.patch({ openai_server: { host: "0.0.0.0" } as never }),
    TypeError,
    "unknown field",
  );
  const error = assertThrows(
    () => settings.patch({ openai_server: { enabled: true, api_key: "has a space" } }),
    RangeError,
    "openai_server.api_key",
  );
  assertEquals(error.message.includes("has a space"), false);
  // Nothing was written: the valid `enabled` went with the invalid key.
  assertEquals(settings.get().openai_server.enabled, false);
});

Deno.test("ModelOptionsStore keeps load options per model path, validated", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  assertEquals(storage.modelOptions.get("/m/a.gguf"), {});
  const saved = storage.modelOptions.set("/m/a.gguf", {
    n_ctx: 8192,
    n_gpu_layers: -1,
    flash_attn: "auto",
    cache_type_v: null,
  });
  assertEquals(saved, { n_ctx: 8192, n_gpu_layers: -1, flash_attn: "auto" });
  assertEquals(storage.modelOptions.get("/m/a.gguf"), saved);
  assertEquals(storage.modelOptions.get("/m/b.gguf"), {}, "per path");
  assertThrows(() => storage.modelOptions.set("/m/a.gguf", { n_threads: 0 }), RangeError);
  assertThrows(() => storage.modelOptions.set("/m/a.gguf", { use_mlock: "yes" }), TypeError);
  assertThrows(() => storage.modelOptions.set("/m/a.gguf", { mlock: true }), TypeError);
  assertThrows(() => storage.modelOptions.set("/m/a.gguf", { use_mmap: "no" }), TypeError);
  const draft = { draft_model: "/m/d.gguf", draft_max: 8, draft_p_min: 0.5 };
  assertEquals(storage.modelOptions.set("/m/a.gguf", draft), draft);
  assertThrows(() => storage.modelOptions.set("/m/a.gguf", { draft_max: 513 }), RangeError);
  assertThrows(() => storage.modelOptions.set("/m/a.gguf", { draft_p_min: 1.5 }), RangeError);
  assertThrows(() => storage.modelOptions.set("/m/a.gguf", { draft_model: 1 }), TypeError);
  storage.modelOptions.set("/m/a.gguf", {});
  assertEquals(storage.modelOptions.get("/m/a.gguf"), {});
});
