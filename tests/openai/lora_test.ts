import { assert, assertEquals } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { createServingContext } from "../../engine/serving.ts";
import { ServedLoras } from "../../server/openai/loras.ts";
import { ServingBackend } from "../../server/openai/serving_backend.ts";
import { startOpenAiServer } from "../../server/openai/server.ts";
import { STORIES_260K, STORIES_260K_LORA_RANDOM } from "../models.ts";

const PROMPT = "Once upon a time";

Deno.test("/lora-adapters and the request's lora field pick the adapters, as llama-server", async () => {
  using model = await loadModel(STORIES_260K);
  using lone = await model.createContext({ nCtx: 256 });
  const random = await model.loadLora(STORIES_260K_LORA_RANDOM);
  const greedy = { temperature: 0, maxTokens: 24 };
  const base = await lone.generate(PROMPT, greedy).text();
  await lone.setLoras([{ adapter: random, scale: 1 }]);
  const tuned = await lone.generate(PROMPT, greedy).text();
  assert(base !== tuned);

  using serving = await createServingContext(model, { nParallel: 2, nCtxPerSlot: 256 });
  const loras = new ServedLoras([{ adapter: random, scale: 1 }]);
  const server = startOpenAiServer(new ServingBackend("stories", serving, loras), { port: 0 });
  try {
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, json: await response.json() };
    };
    const complete = async (lora?: unknown) => {
      const body = { model: "stories", prompt: PROMPT, temperature: 0, max_tokens: 24, lora };
      const { status, json } = await call("POST", "/v1/completions", body);
      assertEquals(status, 200, JSON.stringify(json));
      return json.choices[0].text as string;
    };

    assertEquals((await call("GET", "/lora-adapters")).json, [
      { id: 0, path: STORIES_260K_LORA_RANDOM, scale: 1 },
    ]);
    assertEquals(await complete(), tuned); // the global scale
    assertEquals(await complete([{ id: 0, scale: 0 }]), base);
    // Two requests with different sets at once: each as alone.
    assertEquals(
      await Promise.all([complete([{ id: 0, scale: 1 }]), complete([{ id: 0, scale: 0 }])]),
      [tuned, base],
    );
    // Adapters left out of the list get 0.
    assertEquals(await call("POST", "/lora-adapters", []), {
      status: 200,
      json: { success: true },
    });
    assertEquals((await call("GET", "/lora-adapters")).json[0].scale, 0);
    assertEquals(await complete(), base);
    assertEquals(await complete([{ id: 0, scale: 1 }]), tuned);

    const unknown = await call("POST", "/v1/completions", {
      model: "stories",
      prompt: PROMPT,
      lora: [{ id: 3, scale: 1 }],
    });
    assertEquals(unknown.status, 400);
    assertEquals(unknown.json.error.param, "lora[0].id");
    const notList = await call("POST", "/lora-adapters", { id: 0, scale: 1 });
    assertEquals(notList.status, 400);
  } finally {
    await server.shutdown();
  }
});
