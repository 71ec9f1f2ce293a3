/**
 * `image_url` content parts on /v1/chat/completions: data URLs reach the model's
 * mmproj; a model without one, http(s) URLs without --allow-image-urls and bytes that
 * are no image are clear 400s.
 */
import { assert, assertEquals } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { createServingContext } from "../../engine/serving.ts";
import { ServingBackend } from "../../server/openai/serving_backend.ts";
import { startOpenAiServer } from "../../server/openai/server.ts";
import { STORIES_260K, STORIES_260K_MMPROJ } from "../models.ts";
import { CORRUPT_PNG, MTMD_BUILT, MTMD_SKIP_REASON, RED_PNG } from "../_images.ts";

if (!MTMD_BUILT) console.warn(`tests/openai/image_test.ts: ${MTMD_SKIP_REASON}`);

const dataUrl = (bytes: Uint8Array) =>
  `data:image/png;base64,${btoa(String.fromCharCode(...bytes))}`;

const imageMessage = (url: string) => [{
  role: "user",
  content: [
    { type: "text", text: "What is in this picture?" },
    { type: "image_url", image_url: { url } },
  ],
}];

async function post(url: string, body: unknown) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

Deno.test("a model without an mmproj answers image parts with a clear 400", async () => {
  using model = await loadModel(STORIES_260K);
  using serving = await createServingContext(model, { nParallel: 1, nCtxPerSlot: 256 });
  const server = startOpenAiServer(new ServingBackend("stories", serving), { port: 0 });
  try {
    const { status, json } = await post(server.url, {
      model: "stories",
      messages: imageMessage(dataUrl(RED_PNG)),
      max_tokens: 4,
    });
    assertEquals(status, 400);
    assertEquals(json.error.type, "invalid_request_error");
    assertEquals(json.error.param, "messages[0].content");
    assert(json.error.message.includes("no mmproj"), json.error.message);
    // An image in an assistant message is refused whatever the model.
    const assistant = await post(server.url, {
      model: "stories",
      messages: [{ role: "assistant", content: [{ type: "image_url", image_url: { url: "x" } }] }],
    });
    assertEquals(assistant.status, 400);
    assertEquals(assistant.json.error.param, "messages[0].content[0].type");
  } finally {
    await server.shutdown();
  }
});

Deno.test({
  name: "image_url data URLs reach the mmproj; http URLs and corrupt images are 400s",
  ignore: !MTMD_BUILT,
  async fn() {
    using model = await loadModel(STORIES_260K);
    using _mmproj = await model.loadMmproj(STORIES_260K_MMPROJ);
    using serving = await createServingContext(model, { nParallel: 2, nCtxPerSlot: 256 });
    const server = startOpenAiServer(new ServingBackend("stories", serving), { port: 0 });
    try {
      const ok = await post(server.url, {
        model: "stories",
        messages: imageMessage(dataUrl(RED_PNG)),
        max_tokens: 4,
        temperature: 0,
      });
      assertEquals(ok.status, 200, JSON.stringify(ok.json));
      assertEquals(ok.json.usage.completion_tokens, 4);
      // The image's 4 positions count as prompt tokens.
      const textOnly = await post(server.url, {
        model: "stories",
        messages: [{ role: "user", content: "What is in this picture?" }],
        max_tokens: 4,
        temperature: 0,
      });
      assert(
        ok.json.usage.prompt_tokens > textOnly.json.usage.prompt_tokens,
        `${ok.json.usage.prompt_tokens} vs ${textOnly.json.usage.prompt_tokens}`,
      );

      const remote = await post(server.url, {
        model: "stories",
        messages: imageMessage("http://127.0.0.1:1/cat.png"),
      });
      assertEquals(remote.status, 400);
      assertEquals(remote.json.error.param, "messages[0].content[1].image_url.url");
      assert(remote.json.error.message.includes("--allow-image-urls"), remote.json.error.message);

      const corrupt = await post(server.url, {
        model: "stories",
        messages: imageMessage(dataUrl(CORRUPT_PNG)),
      });
      assertEquals(corrupt.status, 400);
      assertEquals(corrupt.json.error.code, "invalid_image");
      assert(corrupt.json.error.message.includes("image 1 of 1"), corrupt.json.error.message);

      const notBase64 = await post(server.url, {
        model: "stories",
        messages: imageMessage("data:image/png,rawbytes"),
      });
      assertEquals(notBase64.status, 400);
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test({
  name: "with --allow-image-urls an http image_url is fetched; a failed fetch is a 400",
  ignore: !MTMD_BUILT,
  async fn() {
    const images = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (req) =>
        new URL(req.url).pathname === "/red.png"
          ? new Response(RED_PNG as Uint8Array<ArrayBuffer>, {
            headers: { "content-type": "image/png" },
          })
          : new Response("gone", { status: 404 }),
    );
    using model = await loadModel(STORIES_260K);
    using _mmproj = await model.loadMmproj(STORIES_260K_MMPROJ);
    using serving = await createServingContext(model, { nParallel: 1, nCtxPerSlot: 256 });
    const server = startOpenAiServer(new ServingBackend("stories", serving), {
      port: 0,
      allowImageUrls: true,
    });
    try {
      const base = `http://127.0.0.1:${images.addr.port}`;
      const ok = await post(server.url, {
        model: "stories",
        messages: imageMessage(`${base}/red.png`),
        max_tokens: 2,
      });
      assertEquals(ok.status, 200, JSON.stringify(ok.json));
      const gone = await post(server.url, {
        model: "stories",
        messages: imageMessage(`${base}/gone.png`),
      });
      assertEquals(gone.status, 400);
      assert(gone.json.error.message.includes("answered 404"), gone.json.error.message);
    } finally {
      await server.shutdown();
      await images.shutdown();
    }
  },
});
