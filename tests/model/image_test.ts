/**
 * Image input through libmtmd with stories260K and its random-weight mmproj: plumbing
 * (chunks, positions, decode, cache reuse, errors, frees), not understanding.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { Engine } from "../../engine/engine.ts";
import { createServingContext } from "../../engine/serving.ts";
import { ImageInputError, MmprojError, MtmdMissingError } from "../../engine/errors.ts";
import { locateLibraries } from "../../ffi/lib_dir.ts";
import { mtmdFileName } from "../../ffi/mtmd_library.ts";
import { STORIES_260K, STORIES_260K_MMPROJ } from "../models.ts";
import { BLUE_PNG, CORRUPT_PNG, MTMD_BUILT, MTMD_SKIP_REASON, RED_PNG } from "../_images.ts";

if (!MTMD_BUILT) console.warn(`tests/model/image_test.ts: ${MTMD_SKIP_REASON}`);
const needsMtmd = { ignore: !MTMD_BUILT, sanitizeResources: false };

Deno.test({
  name: "an image becomes one chunk between text chunks, with the positions it takes",
  ...needsMtmd,
  async fn() {
    using model = await loadModel(STORIES_260K);
    using mmproj = await model.loadMmproj(STORIES_260K_MMPROJ);
    assertEquals(mmproj.info.vision, true);
    const one = await mmproj.tokenize("Look at this: <__media__> Once upon a time", [RED_PNG]);
    assertEquals(one.chunks, 3);
    assertEquals(one.images.length, 1);
    const [image] = one.images;
    // 28x28 in 14 px patches: 4 patches (LLaVA's projector drops the class token).
    assertEquals(image.end - image.start, 4);
    assertEquals(image.nTokens, 4);
    const two = await mmproj.tokenize("<__media__> and <__media__>.", [RED_PNG, BLUE_PNG]);
    // BOS, image, " and ", image, ".".
    assertEquals(two.chunks, 5);
    assertEquals(two.images.length, 2);
    // Markers and images must agree in number.
    await assertRejects(() => mmproj.tokenize("no marker", [RED_PNG]), ImageInputError, "markers");
  },
});

Deno.test({
  name: "generation continues after an image; the same image prefix is reused from the cache",
  ...needsMtmd,
  async fn() {
    using model = await loadModel(STORIES_260K);
    using _mmproj = await model.loadMmproj(STORIES_260K_MMPROJ);
    using ctx = await model.createContext({ nCtx: 256 });
    const prompt = "Look: <__media__>\nOnce upon a time";
    const options = { images: [RED_PNG], temperature: 0, maxTokens: 8 };
    const first = await ctx.generate(prompt, options).result;
    assertEquals(first.finishReason, "length");
    assertEquals(first.metrics.generatedTokens, 8);
    assert(first.text.length > 0);
    // Text tokens plus the image's 4 positions.
    const textOnly = await model.tokenize("Look: \nOnce upon a time");
    assert(first.metrics.promptTokens >= textOnly.length + 4 - 2, `${first.metrics.promptTokens}`);
    const again = await ctx.generate(prompt, options).result;
    assertEquals(again.text, first.text);
    assertEquals(again.metrics.cachedTokens, again.metrics.promptTokens - 1);
    // Another image at the same place: its cells are not reused.
    const other = await ctx.generate(prompt, { ...options, images: [BLUE_PNG] }).result;
    assert(other.metrics.cachedTokens < again.metrics.cachedTokens);
    assertEquals(other.metrics.generatedTokens, 8);
    // Chat messages carry images too; markers go in front when the content has none.
    const chat = await ctx.chat(
      [{ role: "user", content: "What is this?", images: [RED_PNG] }],
      { temperature: 0, maxTokens: 4 },
    ).result;
    assertEquals(chat.metrics.generatedTokens, 4);
  },
});

Deno.test({
  name: "a serving context takes requests with images beside text-only ones",
  ...needsMtmd,
  async fn() {
    using model = await loadModel(STORIES_260K);
    using _mmproj = await model.loadMmproj(STORIES_260K_MMPROJ);
    using lone = await model.createContext({ nCtx: 256 });
    const prompt = "Look: <__media__>\nOnce upon a time";
    const options = { temperature: 0, maxTokens: 8 };
    const alone = await lone.generate(prompt, { ...options, images: [RED_PNG] }).text();
    const plain = await lone.generate("Once upon a time", options).text();
    using serving = await createServingContext(model, { nParallel: 2, nCtxPerSlot: 256 });
    const [withImage, withoutImage] = await Promise.all([
      serving.generate(prompt, { ...options, images: [RED_PNG] }).text(),
      serving.generate("Once upon a time", options).text(),
    ]);
    assertEquals(withImage, alone);
    assertEquals(withoutImage, plain);
  },
});

Deno.test({
  name: "a corrupt image is a clear error and the context goes on working",
  ...needsMtmd,
  async fn() {
    using model = await loadModel(STORIES_260K);
    using _mmproj = await model.loadMmproj(STORIES_260K_MMPROJ);
    using ctx = await model.createContext({ nCtx: 256 });
    const error = await assertRejects(
      () => ctx.generate("<__media__> Once", { images: [CORRUPT_PNG], maxTokens: 2 }).result,
      ImageInputError,
    );
    assert(
      error.message.includes("image 1 of 1: it is not a PNG, JPEG, BMP or GIF"),
      error.message,
    );
    const webp = new TextEncoder().encode("RIFF\x10\x00\x00\x00WEBPVP8 ");
    const webpError = await assertRejects(
      () => ctx.generate("<__media__> Once", { images: [webp], maxTokens: 2 }).result,
      ImageInputError,
    );
    assert(webpError.message.includes("WebP"), webpError.message);
    const ending = await assertRejects(
      () => ctx.generate("Once <__media__>", { images: [RED_PNG], maxTokens: 2 }).result,
      ImageInputError,
    );
    assert(ending.message.includes("text after its last image"), ending.message);
    const result = await ctx.generate("Once upon a time", { maxTokens: 2 }).result;
    assertEquals(result.metrics.generatedTokens, 2);
  },
});

Deno.test({
  name: "the mtmd context is freed exactly once: by dispose, by the model, never twice",
  ...needsMtmd,
  async fn() {
    using engine = await Engine.start();
    const counts = () =>
      engine._call("handleCounts", {}) as Promise<{ mtmdLive: number; mtmdFreed: number }>;
    const model = await loadModel(STORIES_260K, { engine });
    const mmproj = await model.loadMmproj(STORIES_260K_MMPROJ);
    assertEquals(await counts(), { mtmdLive: 1, mtmdFreed: 0 });
    await assertRejects(() => model.loadMmproj(STORIES_260K_MMPROJ), Error, "has one");
    mmproj.dispose();
    mmproj.dispose();
    assertEquals(model.mmproj, undefined);
    assertEquals(await counts(), { mtmdLive: 0, mtmdFreed: 1 });
    // Without an mmproj, an image is refused; text still works.
    const ctx = await model.createContext({ nCtx: 256 });
    await assertRejects(
      () => ctx.generate("<__media__> Once", { images: [RED_PNG], maxTokens: 2 }).result,
      ImageInputError,
      "no mmproj",
    );
    // A second one goes with its model; disposing it afterwards frees nothing more.
    const second = await model.loadMmproj(STORIES_260K_MMPROJ);
    model.dispose();
    second.dispose();
    assert(second.disposed);
    assertEquals(await counts(), { mtmdLive: 0, mtmdFreed: 2 });
  },
});

Deno.test({
  name: "a file that is not an mmproj is refused before libmtmd reads it",
  ...needsMtmd,
  async fn() {
    using model = await loadModel(STORIES_260K);
    const error = await assertRejects(() => model.loadMmproj(STORIES_260K), MmprojError);
    assert(error.message.includes('not "mmproj"'), error.message);
    assertEquals(model.mmproj, undefined);
  },
});

Deno.test("without libmtmd, loading an mmproj says how to build it", async () => {
  const { dir } = await locateLibraries();
  const copy = await Deno.makeTempDir();
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name !== mtmdFileName()) {
        await Deno.symlink(`${dir}/${entry.name}`, `${copy}/${entry.name}`);
      }
    }
    using model = await loadModel(STORIES_260K, { libDir: copy, isolateFirstLoad: false });
    const error = await assertRejects(
      () => model.loadMmproj(STORIES_260K_MMPROJ),
      MtmdMissingError,
    );
    assert(error.message.includes("native/build.sh mtmd"), error.message);
    // Images without an mmproj are refused as such.
    using ctx = await model.createContext({ nCtx: 256 });
    await assertRejects(
      () => ctx.generate("<__media__> Once", { images: [RED_PNG], maxTokens: 2 }).result,
      ImageInputError,
      "no mmproj",
    );
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});
