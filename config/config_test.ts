import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import {
  BUNDLED_MODEL,
  type EnvReader,
  helpText,
  hubEnv,
  libraryRoots,
  loadConfig,
  OPTIONS,
} from "./config.ts";

const noEnv: EnvReader = () => undefined;
const env = (vars: Record<string, string>): EnvReader => (name) => vars[name];

Deno.test("loadConfig() fills llama.cpp's defaults", () => {
  const config = loadConfig("generate", ["-p", "Once"], noEnv);
  assertEquals(config.command, "generate");
  assertEquals(config.model, BUNDLED_MODEL);
  assertEquals(config.prompt, "Once");
  assertEquals(
    [config.temperature, config.topK, config.topP, config.minP, config.repeatPenalty],
    [0.8, 40, 0.95, 0.05, 1],
  );
  assertEquals([config.nPredict, config.seed, config.nGpuLayers, config.nCtx], [-1, -1, -1, 2048]);
  assertEquals([config.nThreads, config.libDir, config.variant], [undefined, undefined, undefined]);
  assertEquals([config.logLevel, config.json, config.help], ["none", false, false]);
});

Deno.test("loadConfig() reads llama.cpp's flags", () => {
  const config = loadConfig("generate", [
    "-m",
    "x.gguf",
    "-p",
    "hi",
    "-n",
    "16",
    "--temp",
    "0",
    "--top-k",
    "1",
    "--top-p",
    "0.5",
    "--min-p",
    "0",
    "--repeat-penalty",
    "1.1",
    "-s",
    "7",
    "-c",
    "512",
    "-t",
    "2",
    "-ngl",
    "0",
    "--json",
    "--lib-dir",
    "/opt/llama",
    "--variant",
    "linux-x64-vulkan",
    "--log-level",
    "warn",
  ], noEnv);
  assertEquals(
    [config.model, config.nPredict, config.temperature, config.topK, config.topP, config.minP],
    ["x.gguf", 16, 0, 1, 0.5, 0],
  );
  assertEquals([config.repeatPenalty, config.seed, config.nCtx, config.nThreads], [1.1, 7, 512, 2]);
  assertEquals([config.nGpuLayers, config.json, config.libDir], [0, true, "/opt/llama"]);
  assertEquals([config.variant, config.logLevel], ["linux-x64-vulkan", "warn"]);
  assertEquals(loadConfig("chat", ["--n-gpu-layers", "5"], noEnv).nGpuLayers, 5);
  assertEquals(loadConfig("chat", ["--gpu-layers=6"], noEnv).nGpuLayers, 6);
  assertEquals(loadConfig("chat", ["-sys", "Be brief"], noEnv).system, "Be brief");
});

Deno.test("loadConfig() returns a frozen object", () => {
  const config = loadConfig("chat", [], noEnv);
  assert(Object.isFrozen(config));
  assertThrows(() => {
    (config as { nCtx: number }).nCtx = 1;
  }, TypeError);
});

Deno.test("loadConfig() reads HEARTH_ variables; flags beat them; empty means unset", () => {
  const vars = env({
    HEARTH_LIB_DIR: "/env/lib",
    HEARTH_VARIANT: "linux-x64",
    HEARTH_LOG_LEVEL: "debug",
  });
  const fromEnv = loadConfig("chat", [], vars);
  assertEquals([fromEnv.libDir, fromEnv.variant, fromEnv.logLevel], [
    "/env/lib",
    "linux-x64",
    "debug",
  ]);
  const flags = loadConfig("chat", ["--lib-dir", "/flag/lib", "--log-level", "error"], vars);
  assertEquals([flags.libDir, flags.logLevel], ["/flag/lib", "error"]);
  assertEquals(loadConfig("chat", [], env({ HEARTH_LIB_DIR: "" })).libDir, undefined);
});

Deno.test("loadConfig() rejects bad values naming the flag or variable", () => {
  assertThrows(
    () => loadConfig("generate", ["-p", "x", "--temp", "-1"], noEnv),
    RangeError,
    "temperature",
  );
  assertThrows(() => loadConfig("chat", ["--top-p", "0"], noEnv), RangeError, "--top-p");
  assertThrows(() => loadConfig("chat", ["--min-p", "2"], noEnv), RangeError, "min_p");
  assertThrows(() => loadConfig("chat", ["-n", "-2"], noEnv), RangeError, "n_predict");
  assertThrows(() => loadConfig("chat", ["-c", "-1"], noEnv), RangeError, "--ctx-size");
  assertThrows(() => loadConfig("chat", ["-t", "0"], noEnv), RangeError, "--threads");
  assertThrows(() => loadConfig("chat", ["-ngl", "x"], noEnv), RangeError, "--n-gpu-layers");
  assertThrows(() => loadConfig("chat", ["-s", "-5"], noEnv), RangeError, "seed");
  assertThrows(() => loadConfig("chat", ["--variant", "amiga"], noEnv), RangeError, "--variant");
  assertThrows(
    () => loadConfig("chat", [], env({ HEARTH_VARIANT: "amiga" })),
    RangeError,
    "HEARTH_VARIANT",
  );
  assertThrows(
    () => loadConfig("chat", [], env({ HEARTH_LOG_LEVEL: "loud" })),
    RangeError,
    "HEARTH_LOG_LEVEL",
  );
});

Deno.test("loadConfig() rejects flags of other commands and a generate without prompt", () => {
  assertThrows(() => loadConfig("chat", ["--json"], noEnv), TypeError, '"--json"');
  assertThrows(
    () => loadConfig("generate", ["--system", "x", "-p", "y"], noEnv),
    TypeError,
    "--system",
  );
  assertThrows(() => loadConfig("generate", [], noEnv), TypeError, "-p");
});

Deno.test("loadConfig() with --help skips validation", () => {
  const config = loadConfig("generate", ["--temp", "-1", "-h"], noEnv);
  assertEquals(config.help, true);
});

Deno.test("helpText() is generated from the option table", () => {
  const overview = helpText("start");
  for (const spec of OPTIONS) {
    for (const flag of spec.flags) assert(overview.includes(flag), `overview lacks ${flag}`);
    if (spec.env) assert(overview.includes(spec.env), `overview lacks ${spec.env}`);
  }
  assert(overview.includes("generate") && overview.includes("bench"));
  assert(helpText("generate").includes("--json"));
  assert(!helpText("chat").includes("--json"), "chat help lists only chat's flags");
});

Deno.test("hubEnv() and libraryRoots() name the same Hugging Face cache folder", () => {
  const cases: [Record<string, string>, string][] = [
    [{ HUGGINGFACE_HUB_CACHE: "/legacy/hub" }, "/legacy/hub"],
    [{ HUGGINGFACE_HUB_CACHE: "~/legacy" }, "/home/ada/legacy"],
    [{ HF_HUB_CACHE: "relative/hub" }, "/home/ada/relative/hub"],
    [{ HF_HOME: "~/hf" }, "/home/ada/hf/hub"],
    [{ XDG_CACHE_HOME: "not-absolute" }, "/home/ada/.cache/huggingface/hub"],
  ];
  for (const [vars, expected] of cases) {
    const env: EnvReader = (name) =>
      ({ HOME: "/home/ada", ...vars } as Record<string, string>)[name];
    const library = libraryRoots(env).find((root) => root.kind === "hf-cache");
    assertEquals(hubEnv(env).cacheDir, expected, JSON.stringify(vars));
    assertEquals(library?.path, expected, JSON.stringify(vars));
  }
});
