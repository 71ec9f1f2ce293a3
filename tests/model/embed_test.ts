import { assert, assertEquals } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { STORIES_260K } from "../models.ts";

Deno.test("Model.embed() returns one normalized n_embd vector per text", async () => {
  using model = await loadModel(STORIES_260K);
  const [a, b, a2] = await model.embed(["The cat sat.", "A dog ran far away.", "The cat sat."]);
  assertEquals(a.length, model.info.nEmbd);
  assert(Math.abs(Math.hypot(...a) - 1) < 1e-6);
  assertEquals(a, a2);
  assert(a.some((x, i) => x !== b[i]));
  const [raw] = await model.embed(["The cat sat."], { normalize: false });
  assert(Math.abs(Math.hypot(...raw) - 1) > 1e-3);
});
