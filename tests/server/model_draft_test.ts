/**
 * Speculative decoding from the desktop app: a draft model saved in the per-model load
 * options is loaded with the model, a reply records the draft's counts in its metrics and
 * its greedy text is the text without a draft; a draft that cannot draft for the model is a
 * load error and the model serves without it. Real app server, engine and models.
 */
import { assert, assertEquals } from "../assert.ts";
import { type AppApi, type Json, withApp } from "./_app_api.ts";
import { STORIES_260K_DRAFT4, SYNTHETIC_135M } from "../models.ts";

/** Sends one greedy message in a new chat and returns the stored reply once it is done. */
async function greedyReply(api: AppApi): Promise<Json> {
  const chat = await api.json("POST", "/api/chats", {
    sampling: { temperature: 0, max_tokens: 24 },
  });
  const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
    content: "Once upon a time",
    parent_id: null,
  });
  const events = await api.events(`/api/messages/${sent.assistant.id}/stream`);
  assertEquals(events.at(-1)!.event, "done", JSON.stringify(events.at(-1)));
  const { messages } = await api.json("GET", `/api/chats/${chat.id}`);
  return messages.find((m: Json) => m.id === sent.assistant.id);
}

Deno.test("app server: a draft model in the load options decodes speculatively; a mismatched one is a load error", async () => {
  await withApp(async (_app, api) => {
    const { loaded } = await api.json("GET", "/api/state");
    const path = loaded.path;
    assertEquals(loaded.draft_model, null);
    const plain = await greedyReply(api);
    assertEquals(plain.metrics.draft_n, undefined, "no draft counts without a draft");

    const options = { draft_model: STORIES_260K_DRAFT4, draft_max: 4, draft_p_min: 0 };
    assertEquals(await api.json("PUT", "/api/model-options", { path, options }), {
      path,
      options,
    });
    for (const bad of [{ draft_max: 0 }, { draft_p_min: 2 }, { draft_model: 3 }]) {
      const response = await api.request("PUT", "/api/model-options", { path, options: bad });
      assertEquals(response.status, 400, JSON.stringify(bad));
      await response.body?.cancel();
    }

    // The next reply reloads the model with its draft.
    const drafted = await greedyReply(api);
    const state: Json = await api.json("GET", "/api/state");
    assertEquals(state.loaded.draft_model, STORIES_260K_DRAFT4);
    assertEquals(state.loaded.draft_error, null);
    assert(drafted.metrics.draft_n > 0, JSON.stringify(drafted.metrics));
    assert(drafted.metrics.draft_n_accepted >= 0);
    assert(drafted.metrics.draft_n_accepted <= drafted.metrics.draft_n);
    assertEquals(drafted.content, plain.content, "greedy text is the same with a draft");

    // A draft of another vocabulary: the load reports it, the model serves without it.
    await api.json("PUT", "/api/model-options", {
      path,
      options: { draft_model: SYNTHETIC_135M },
    });
    const alone = await greedyReply(api);
    const after: Json = await api.json("GET", "/api/state");
    assertEquals(after.loaded.path, path);
    assertEquals(after.loaded.draft_model, null);
    const reason: string = after.loaded.draft_error;
    assert(reason.includes("as the draft model") && reason.includes("without it"), reason);
    assertEquals(after.load_error?.message, after.loaded.draft_error);
    assertEquals(alone.metrics.draft_n, undefined);
    assertEquals(alone.content, plain.content);
  });
});
