import { assertEquals } from "../tests/assert.ts";
import { defaultRoots } from "./roots.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("defaultRoots() uses the tools' defaults under the home folder", () => {
  assertEquals(defaultRoots(env({}), "/home/ada"), [
    { kind: "hf-cache", path: "/home/ada/.cache/huggingface/hub" },
    { kind: "lmstudio", path: "/home/ada/.lmstudio/models" },
    { kind: "lmstudio", path: "/home/ada/.cache/lm-studio/models" },
    { kind: "llama.cpp", path: "/home/ada/.cache/llama.cpp" },
  ]);
});

Deno.test("defaultRoots() follows HF_HUB_CACHE, then HF_HOME, then XDG_CACHE_HOME", () => {
  const hf = (vars: Record<string, string>) => defaultRoots(env(vars), "/h")[0].path;
  assertEquals(hf({ HF_HUB_CACHE: "/a/hub", HF_HOME: "/b", XDG_CACHE_HOME: "/c" }), "/a/hub");
  assertEquals(hf({ HF_HOME: "/b", XDG_CACHE_HOME: "/c" }), "/b/hub");
  assertEquals(hf({ XDG_CACHE_HOME: "/c" }), "/c/huggingface/hub");
  assertEquals(hf({ HF_HUB_CACHE: "", HF_HOME: "" }), "/h/.cache/huggingface/hub");
  assertEquals(hf({ HF_HOME: "relative/hf" }), "/h/relative/hf/hub");
});

Deno.test("defaultRoots() finds the Hugging Face cache where downloads go", () => {
  const hf = (vars: Record<string, string>) => defaultRoots(env(vars), "/h")[0].path;
  assertEquals(hf({ HUGGINGFACE_HUB_CACHE: "/legacy", HF_HOME: "/b" }), "/legacy");
  assertEquals(hf({ HF_HUB_CACHE: "~/hub" }), "/h/hub");
  assertEquals(hf({ HF_HOME: "~/hf" }), "/h/hf/hub");
  assertEquals(hf({ XDG_CACHE_HOME: "relative" }), "/h/.cache/huggingface/hub");
});

Deno.test("defaultRoots() follows LLAMA_CACHE and drops duplicate paths", () => {
  const roots = defaultRoots(env({ LLAMA_CACHE: "/h/.lmstudio/models" }), "/h");
  assertEquals(roots.map((root) => root.kind), ["hf-cache", "lmstudio", "lmstudio"]);
  const llama = defaultRoots(env({ XDG_CACHE_HOME: "/x" }), "/h").at(-1);
  assertEquals(llama, { kind: "llama.cpp", path: "/x/llama.cpp" });
});
