/**
 * measureContext() while the model goes away under it: a reload for new settings disposes
 * the model a count is using; the answer is "nothing to count", not an error.
 */
import { assertEquals } from "../assert.ts";
import { measureContext } from "../../app/context_usage.ts";
import type { ModelHost } from "../../app/model_host.ts";
import { loadModel } from "../../engine/model.ts";
import { TempDatabase } from "../../storage/_testing.ts";
import { STORIES_260K } from "../models.ts";

Deno.test("measureContext() answers no count when the model is disposed during the count", async () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const model = await loadModel(STORIES_260K);
  const host = { model, loaded: { n_ctx: 512 } } as unknown as ModelHost;
  const counted = await measureContext({ storage, host }, { chatId: null, draft: "Hi" });
  assertEquals(counted.n_ctx, 512);
  assertEquals(typeof counted.prompt_tokens, "number");
  model.dispose();
  const gone = await measureContext({ storage, host }, { chatId: null, draft: "Hi" });
  assertEquals([gone.prompt_tokens, gone.min_prompt_tokens, gone.n_ctx], [null, null, null]);
});
