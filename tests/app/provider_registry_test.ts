/** ProviderRegistry: presets, validation, key sources, `NAME:MODEL` resolution, removal. */
import { join } from "node:path";
import { assertEquals, assertThrows } from "../assert.ts";
import { ProviderRegistry } from "../../app/providers/registry.ts";
import { KEYS_FILE } from "../../app/providers/key_store.ts";
import { ProviderNotFoundError } from "../../app/providers/errors.ts";

Deno.test("ProviderRegistry fills presets, reads keys from a variable or the key file, and resolves NAME:MODEL", async () => {
  const configDir = await Deno.makeTempDir();
  const env = new Map([["OPENROUTER_API_KEY", "sk-or-env"]]);
  try {
    const registry = new ProviderRegistry({ configDir, env: (name) => env.get(name) });
    const or = registry.save({ name: "or", preset: "openrouter" });
    assertEquals(
      [or.base_url, or.api_key_env, or.key_source, or.concurrency],
      ["https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "env", 5],
    );
    registry.save({ name: "box", base_url: "http://127.0.0.1:8080/v1/", api_key: "sk-box" });
    assertEquals(registry.get("box").base_url, "http://127.0.0.1:8080/v1");
    assertEquals(registry.get("box").key_source, "file");
    assertEquals(registry.resolve("or:meta-llama/llama-3.1-8b"), {
      provider: "or",
      model: "meta-llama/llama-3.1-8b",
    });
    assertEquals(registry.resolve("nobody:model"), null);
    assertEquals(registry.resolve("/models/a:b.gguf"), null);
    assertEquals(registry.resolve("C:\\models\\a.gguf"), null);
    assertThrows(() => registry.save({ name: "Bad Name", base_url: "http://x" }), RangeError);
    assertThrows(() => registry.save({ name: "local", base_url: "http://x" }), RangeError);
    assertThrows(() => registry.save({ name: "ftp", base_url: "ftp://x" }), RangeError);
    assertThrows(
      () => registry.save({ name: "many", base_url: "http://x", concurrency: 33 }),
      RangeError,
    );
    assertThrows(() => registry.get("gone"), ProviderNotFoundError);
    assertEquals(registry.remove("box"), true);
    assertEquals(JSON.parse(await Deno.readTextFile(join(configDir, KEYS_FILE))), {});
    assertEquals(registry.list().map((p) => p.name), ["or"]);
  } finally {
    await Deno.remove(configDir, { recursive: true });
  }
});
