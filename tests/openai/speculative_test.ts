import { assert, assertEquals } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { createServingContext } from "../../engine/serving.ts";
import { ServedLoras } from "../../server/openai/loras.ts";
import { ServingBackend } from "../../server/openai/serving_backend.ts";
import { startOpenAiServer } from "../../server/openai/server.ts";
import { STORIES_260K, STORIES_260K_DRAFT4 } from "../models.ts";

Deno.test("serve with a draft model: the same greedy text, draft_n and draft_n_accepted in timings and /metrics", async () => {
  using model = await loadModel(STORIES_260K);
  using draft = await loadModel(STORIES_260K_DRAFT4, { engine: model.engine });
  using lone = await model.createContext({ nCtx: 256, nThreads: 1 });
  const base = await lone.generate("Once upon a time", { temperature: 0, maxTokens: 32 }).text();
  using serving = await createServingContext(model, {
    nParallel: 2,
    nCtxPerSlot: 256,
    nThreads: 1,
    draft: { model: draft, pMin: 0 },
  });
  const server = startOpenAiServer(new ServingBackend("stories", serving, new ServedLoras([])), {
    port: 0,
  });
  try {
    const response = await fetch(`${server.url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "stories",
        prompt: "Once upon a time",
        temperature: 0,
        max_tokens: 32,
      }),
    });
    const json = await response.json();
    assertEquals(response.status, 200, JSON.stringify(json));
    assertEquals(json.choices[0].text, base);
    const { draft_n, draft_n_accepted, predicted_n } = json.timings;
    assertEquals(predicted_n, 32);
    assert(
      draft_n > 0 && draft_n_accepted >= 0 && draft_n_accepted <= draft_n,
      JSON.stringify(json.timings),
    );
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert(metrics.includes(`hearth_spec_decode_num_draft_tokens_total ${draft_n}\n`), metrics);
    assert(metrics.includes(`hearth_spec_decode_num_accepted_tokens_total ${draft_n_accepted}\n`));
  } finally {
    await server.shutdown();
  }
});
