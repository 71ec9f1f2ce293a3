import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { loadConfig } from "./config.ts";
import { loadDraftFlags } from "./draft_flags.ts";
import { loadModel } from "../engine/model.ts";
import { STORIES_260K, STORIES_260K_DRAFT4 } from "../tests/models.ts";

const noEnv = () => undefined;

Deno.test("loadConfig() reads the draft flags in llama.cpp's spellings, with its defaults", () => {
  const plain = loadConfig("generate", ["-p", "Once"], noEnv);
  assertEquals(
    [plain.modelDraft, plain.draftMax, plain.draftMin, plain.draftPMin, plain.nGpuLayersDraft],
    [undefined, 16, 0, 0.75, -1],
  );
  const short = loadConfig(
    "generate",
    ["-p", "Once", "-md", "d.gguf", "--draft-max", "8", "--draft-min", "2", "--draft-p-min", "0.5"],
    noEnv,
  );
  assertEquals([short.modelDraft, short.draftMax, short.draftMin, short.draftPMin], [
    "d.gguf",
    8,
    2,
    0.5,
  ]);
  const long = loadConfig(
    "chat",
    ["--model-draft", "d.gguf", "--draft", "4", "--draft-n-min", "1", "-ngld", "0"],
    noEnv,
  );
  assertEquals([long.modelDraft, long.draftMax, long.draftMin, long.nGpuLayersDraft], [
    "d.gguf",
    4,
    1,
    0,
  ]);
  const spec = loadConfig(
    "generate",
    [
      "-p",
      "x",
      "--spec-draft-model",
      "d.gguf",
      "--spec-draft-n-max",
      "3",
      "--spec-draft-p-min",
      "0",
    ],
    noEnv,
  );
  assertEquals([spec.modelDraft, spec.draftMax, spec.draftPMin], ["d.gguf", 3, 0]);
});

Deno.test("loadConfig() refuses bad draft values, naming the flag", () => {
  const bad = (args: string[], text: string) =>
    assertThrows(() => loadConfig("generate", ["-p", "x", ...args], noEnv), RangeError, text);
  bad(["--draft-max", "0"], "--draft-max");
  bad(["--draft-max", "513"], "an integer in [1, 512]");
  bad(["--draft-max", "two"], "--draft-max");
  bad(["--draft-min", "-1"], "--draft-min");
  bad(["--draft-p-min", "1.5"], "a number in [0, 1]");
  bad(["--draft-p-min", "-0.1"], "--draft-p-min");
  bad(["-ngld", "-2"], "an integer >= -1");
  bad(
    ["--draft-max", "4", "--draft-min", "5"],
    "Cannot use --draft-min 5: it must be at most --draft-max (4)",
  );
  assertThrows(() => loadConfig("generate", ["-p", "x", "-md"], noEnv), TypeError);
});

Deno.test("loadDraftFlags() loads the draft on the target's engine; none without -md", async () => {
  using model = await loadModel(STORIES_260K);
  const flags = loadConfig("generate", ["-p", "x", "--draft-max", "5"], noEnv);
  assertEquals(await loadDraftFlags(model, flags), undefined);
  {
    using draft = await loadDraftFlags(model, { ...flags, modelDraft: STORIES_260K_DRAFT4 });
    assert(draft);
    assertEquals(draft.model.engine, model.engine);
    assertEquals([draft.options.nMax, draft.options.nMin, draft.options.pMin], [5, 0, 0.75]);
    using ctx = await model.createContext({ nCtx: 256, nThreads: 1, draft: draft.options });
    assertEquals(ctx.draft?.nMax, 5);
  }
  // Disposed with its block: the target goes on.
  assertEquals((await model.tokenize("Once")).length > 0, true);
});
