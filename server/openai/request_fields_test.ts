import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { OpenAiError } from "./errors.ts";
import { RequestFields, withIgnoredFields } from "./request_fields.ts";

Deno.test("RequestFields.get() prefers the body, then Ollama's options under their own names", () => {
  const fields = new RequestFields({
    top_k: 5,
    min_p: null,
    options: { top_k: 9, min_p: 0.1, num_predict: 7, num_ctx: 4096 },
  });
  deepStrictEqual([fields.get("top_k"), fields.param("top_k")], [5, "top_k"]);
  deepStrictEqual([fields.get("min_p"), fields.param("min_p")], [0.1, "options.min_p"]);
  deepStrictEqual([fields.get("n_predict"), fields.param("n_predict")], [7, "options.num_predict"]);
  // Load-time options map onto no body field.
  deepStrictEqual([fields.get("num_ctx"), fields.has("num_ctx")], [undefined, false]);
  strictEqual(fields.param("seed"), "seed");
  throws(() => new RequestFields({ options: [1] }), (e) => e instanceof OpenAiError);
});

Deno.test("RequestFields.ignoreUnknown() lists unknown body keys and unmapped options keys once", () => {
  const body = { model: "m", frob: 1, options: { temperature: 0, num_ctx: 4096 } };
  const fields = new RequestFields(body);
  fields.ignoreUnknown(body, new Set(["model", "options"]));
  fields.ignore("frob");
  fields.ignoreUnknown({ include_usage: true, x: 1 }, new Set(["include_usage"]), "stream_options");
  deepStrictEqual(fields.ignored, ["frob", "options.num_ctx", "stream_options.x"]);
  // A route that does not read options (embeddings) lists it whole.
  const embeddings = new RequestFields(body);
  embeddings.ignoreUnknown(body, new Set(["model"]));
  deepStrictEqual(embeddings.ignored, ["frob", "options"]);
});

Deno.test("withIgnoredFields() sets the header only when something was ignored", () => {
  const header = (ignored: string[]) =>
    withIgnoredFields(new Response("{}"), ignored).headers.get("x-hearth-ignored-fields");
  strictEqual(header([]), null);
  strictEqual(header(["a", "options.b"]), "a, options.b");
});
