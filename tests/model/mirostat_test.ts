/** Mirostat sampling through the real sampler chain on stories260K. */
import { assert, assertEquals } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { STORIES_260K } from "../models.ts";

Deno.test("Context.generate() with mirostat 2 at tau 0 keeps only the top token; mirostat 1 replays by seed", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  const run = (options: Record<string, number>) =>
    ctx.generate("Once upon a time", { maxTokens: 24, ...options }).text();
  const greedy = await run({ temperature: 0 });
  // mu starts at 2 * tau = 0, so every token but the most likely one is too surprising;
  // eta 0 keeps it there. Wide plain sampling at the same temperature wanders off.
  const wide = { temperature: 1.5, topK: 0, topP: 1, minP: 0, seed: 7 };
  assertEquals(await run({ ...wide, mirostat: 2, mirostatTau: 0, mirostatEta: 0 }), greedy);
  assert(await run(wide) !== greedy, "plain sampling at temperature 1.5 should differ");
  const v1 = { temperature: 1, mirostat: 1, mirostatTau: 3, seed: 11 };
  assertEquals(await run(v1), await run(v1));
});
