/**
 * LocalBackend over the app's model host, on the real bundled model: it loads the model
 * asked for, streams, and reports the engine's metrics under the Backend interface.
 */
import { assert, assertEquals } from "../assert.ts";
import { offlineApp } from "./_offline_app.ts";
import { LocalBackend } from "../../app/providers/local_backend.ts";
import { STORIES_260K } from "../models.ts";

Deno.test("LocalBackend.complete() loads the model and streams a completion", async () => {
  const offline = await offlineApp(STORIES_260K);
  const { app } = offline;
  try {
    const local = new LocalBackend(app.host, () => 512);
    assertEquals([local.kind, local.provider], ["local", null]);
    const completion = local.complete({
      model: STORIES_260K,
      messages: [{ role: "user", content: "Once upon a time" }],
      sampling: { temperature: 0, maxTokens: 8 },
    });
    let text = "";
    for await (const piece of completion) text += piece.text;
    const result = await completion.result;
    assertEquals(result.text, text);
    assertEquals([result.finishReason, result.metrics.completionTokens], ["length", 8]);
    assert(text.length > 0);
    assertEquals(await local.models(), [STORIES_260K]);
    assertEquals(app.backend(STORIES_260K).backend.kind, "local");
  } finally {
    await offline.close();
  }
});
