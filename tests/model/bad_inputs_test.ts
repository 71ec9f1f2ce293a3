import { assert, assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { join } from "node:path";
import { Engine } from "../../engine/engine.ts";
import { loadModel } from "../../engine/model.ts";
import { GgufError, ModelLoadError, ModelNotFoundError } from "../../engine/errors.ts";
import { STORIES_260K, SYNTHETIC_135M, VOCAB_GPT2 } from "../models.ts";

Deno.test("loadModel() refuses bad files with a clear error and the engine stays alive", async () => {
  using engine = await Engine.start();
  const dir = await Deno.makeTempDir();
  try {
    const good = await Deno.readFile(STORIES_260K);
    const view = new DataView(good.buffer);
    const absurd = good.slice();
    new DataView(absurd.buffer).setBigUint64(8, 2n ** 40n, true);
    const cases: [string, Uint8Array | null, string][] = [
      ["empty.gguf", new Uint8Array(0), "empty"],
      ["random.gguf", crypto.getRandomValues(new Uint8Array(4096)), "GGUF"],
      ["header.gguf", good.slice(0, 100), "need at least"],
      ["header2.gguf", good.slice(0, 10_000), "truncated"],
      ["data.gguf", good.slice(0, good.length - 1000), "past the end"],
      ["absurd.gguf", absurd, "tensor"],
    ];
    assertEquals(view.getUint32(0, true), 0x46554747);
    for (const [name, bytes] of cases) {
      const path = join(dir, name);
      await Deno.writeFile(path, bytes!);
      await assertRejects(
        () => loadModel(path, { engine }),
        GgufError,
        name === "empty.gguf" ? "empty" : undefined,
      );
    }
    await assertRejects(() => loadModel(join(dir, "missing.gguf"), { engine }), ModelNotFoundError);
    await assertRejects(() => loadModel(dir, { engine }), GgufError, "directory");
    // The engine and the process are alive: a good model loads and runs.
    using model = await loadModel(STORIES_260K, { engine });
    using ctx = await model.createContext({ nCtx: 256 });
    const result = await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 3 }).result;
    assertEquals(result.metrics.generatedTokens, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("invalid options are rejected before any FFI call", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  for (
    const [options, name] of [
      [{ temperature: -1 }, "temperature"],
      [{ topP: 1.5 }, "topP"],
      [{ topK: 2.5 }, "topK"],
      [{ minP: -0.1 }, "minP"],
      [{ seed: -3 }, "seed"],
      [{ maxTokens: -2 }, "maxTokens"],
      [{ logitBias: { 9999: 1 } }, "9999"],
      [{ seqId: 1 }, "seqId"],
      [{ stop: [""] }, "stop[0]"],
    ] as const
  ) {
    assertThrows(() => ctx.generate("Hi", options as never), RangeError, name);
  }
  assertThrows(() => ctx.generate("Hi", { top_p: 0.5 } as never), TypeError, "top_p");
  assertThrows(() => ctx.generate([1, 600]), RangeError, "tokens[1]");
  await assertRejects(() => model.createContext({ nCtx: -5 }), RangeError, "nCtx");
  await assertRejects(
    () => model.createContext({ nUbatch: 4096, nBatch: 512 }),
    RangeError,
    "nUbatch",
  );
  await assertRejects(() => loadModel(STORIES_260K, { nGpuLayers: -2 }), RangeError, "nGpuLayers");
});

Deno.test("loadModel() turns llama.cpp's logged reason into the error message", async () => {
  // A tokenizer-only file is a valid GGUF, but llama.cpp cannot load it as a model.
  const error = await assertRejects(() => loadModel(VOCAB_GPT2), ModelLoadError, VOCAB_GPT2);
  assert(/tensor|token_embd/.test(error.message), error.message);
});

Deno.test("loadModel() stops a load when its signal aborts", async () => {
  const controller = new AbortController();
  const reason = new Error("changed my mind");
  let calls = 0;
  await assertRejects(
    () =>
      loadModel(SYNTHETIC_135M, {
        useMmap: false,
        signal: controller.signal,
        onProgress: () => {
          if (++calls === 1) controller.abort(reason);
        },
      }),
    Error,
    "changed my mind",
  );
  assert(calls >= 1);
  await assertRejects(
    () => loadModel(STORIES_260K, { signal: AbortSignal.abort(reason) }),
    Error,
    "changed",
  );
});
