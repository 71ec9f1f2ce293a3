/**
 * Images in the desktop app's chats: a model the library pairs with an mmproj loads with
 * it, a user message's images are stored with it and reach the model, and the UI API
 * serves them back.
 */
import { assert, assertEquals } from "../assert.ts";
import { startApp } from "../../cli/app.ts";
import { STORIES_260K, STORIES_260K_MMPROJ } from "../models.ts";
import { MTMD_BUILT, MTMD_SKIP_REASON, RED_PNG } from "../_images.ts";
import { AppApi } from "./_app_api.ts";

if (!MTMD_BUILT) console.warn(`tests/server/image_api_test.ts: ${MTMD_SKIP_REASON}`);

Deno.test("app server: a message with an image is stored, served back and answered", async () => {
  const dataDir = await Deno.makeTempDir();
  const models = await Deno.makeTempDir();
  const modelPath = `${models}/stories260K.gguf`;
  await Deno.copyFile(STORIES_260K, modelPath);
  await Deno.copyFile(STORIES_260K_MMPROJ, `${models}/mmproj-stories260K.gguf`);
  const app = await startApp({
    dataDir,
    libraryRoots: [{ kind: "folder", path: models }],
    loadDefaultModel: false,
  });
  try {
    const api = new AppApi(app);
    await api.waitFor(async () =>
      (await api.json("GET", "/api/models")).models?.some((m: { kind: string }) =>
        m.kind === "mmproj"
      )
    );
    const chat = await api.json("POST", "/api/chats", {
      model: modelPath,
      sampling: { temperature: 0, max_tokens: 8 },
    });
    const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
      content: "What is this?",
      parent_id: null,
      images: [{ mime_type: "image/png", data_base64: btoa(String.fromCharCode(...RED_PNG)) }],
    });
    const events = await api.events(`/api/messages/${sent.assistant.id}/stream`);
    // deno-lint-ignore no-explicit-any
    const done = events.at(-1)!.data as any;
    const state = await api.json("GET", "/api/state");
    if (MTMD_BUILT) {
      assertEquals(state.loaded.mmproj, `${models}/mmproj-stories260K.gguf`);
      assertEquals(state.loaded.vision_error, null);
      assertEquals(done.message.state, "complete", JSON.stringify(done));
      assertEquals(done.message.metrics.completion_tokens, 8);
    } else {
      // Text still works; the image is refused with what to do.
      assertEquals(state.loaded.mmproj, null);
      assert(state.loaded.vision_error.includes("native/build.sh mtmd"));
    }
    const stored = await api.json("GET", `/api/chats/${chat.id}`);
    const user = stored.messages.find((m: { role: string }) => m.role === "user");
    assertEquals(user.images, 1);
    const image = await api.request("GET", `/api/messages/${user.id}/images/0`);
    assertEquals(image.headers.get("content-type"), "image/png");
    assertEquals(new Uint8Array(await image.arrayBuffer()), RED_PNG);
    const missing = await api.request("GET", `/api/messages/${user.id}/images/1`);
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
    const bad = await api.request("POST", `/api/chats/${chat.id}/messages`, {
      content: "x",
      images: [{ mime_type: "text/html", data_base64: "AAAA" }],
    });
    assertEquals(bad.status, 400);
    await bad.body?.cancel();
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(models, { recursive: true });
  }
});
