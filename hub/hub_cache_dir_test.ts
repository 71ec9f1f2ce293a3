import { assertEquals } from "../tests/assert.ts";
import { hubCacheDir } from "./hub_cache_dir.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("hubCacheDir() prefers HF_HUB_CACHE, then the legacy HUGGINGFACE_HUB_CACHE", () => {
  const both = envOf({ HF_HUB_CACHE: "/a", HUGGINGFACE_HUB_CACHE: "/b", HF_HOME: "/c" });
  assertEquals(hubCacheDir(both, "/home/ada"), "/a");
  assertEquals(hubCacheDir(envOf({ HUGGINGFACE_HUB_CACHE: "/b", HF_HOME: "/c" }), "/h"), "/b");
});

Deno.test("hubCacheDir() uses HF_HOME/hub, then XDG_CACHE_HOME/huggingface/hub", () => {
  assertEquals(hubCacheDir(envOf({ HF_HOME: "/data/hf" }), "/h"), "/data/hf/hub");
  assertEquals(hubCacheDir(envOf({ XDG_CACHE_HOME: "/x" }), "/h"), "/x/huggingface/hub");
});

Deno.test("hubCacheDir() falls back to ~/.cache/huggingface/hub", () => {
  assertEquals(hubCacheDir(envOf({}), "/home/ada"), "/home/ada/.cache/huggingface/hub");
});

Deno.test("hubCacheDir() ignores empty variables and a relative XDG_CACHE_HOME, expands ~", () => {
  assertEquals(
    hubCacheDir(envOf({ HF_HUB_CACHE: "", HF_HOME: "" }), "/h"),
    "/h/.cache/huggingface/hub",
  );
  assertEquals(hubCacheDir(envOf({ XDG_CACHE_HOME: "rel" }), "/h"), "/h/.cache/huggingface/hub");
  assertEquals(hubCacheDir(envOf({ HF_HOME: "~/hf" }), "/home/ada"), "/home/ada/hf/hub");
});

Deno.test("hubCacheDir() takes relative values from home, so the result is absolute", () => {
  assertEquals(hubCacheDir(envOf({ HF_HUB_CACHE: "rel/hub" }), "/h"), "/h/rel/hub");
  assertEquals(hubCacheDir(envOf({ HUGGINGFACE_HUB_CACHE: "~/old" }), "/h"), "/h/old");
  assertEquals(hubCacheDir(envOf({ HF_HOME: "hf" }), "/h"), "/h/hf/hub");
});
