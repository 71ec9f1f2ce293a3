import { assertEquals } from "../../tests/assert.ts";
import { QWEN25_TEMPLATE } from "../../tests/openai/_qwen25_template.ts";
import type { GenerationResult } from "../../engine/types.ts";
import { chatChunks } from "./chat_response.ts";
import type { StartedGeneration } from "./generation_run.ts";
import { detectToolFormat, type ToolFormat } from "./tool_formats.ts";
import type { ToolSetup } from "./tools_request.ts";

const META = { id: "chatcmpl-x", created: 1, model: "m" };
const HERMES = detectToolFormat(QWEN25_TEMPLATE) as ToolFormat;
const TOOLS: ToolSetup = { format: HERMES, templateTools: [], grammar: undefined };

function started(texts: string[]): StartedGeneration {
  const text = texts.join("");
  const metrics = {
    promptTokens: 3,
    cachedTokens: 1,
    promptEvalTokens: 2,
    generatedTokens: texts.length,
    ttftMs: 1,
    promptMs: 1,
    genMs: 1,
    promptTokPerSec: 1,
    genTokPerSec: 1,
  };
  const result: GenerationResult = { finishReason: "stop", text, metrics, droppedMessages: 0 };
  return {
    batches: (async function* () {
      for (const piece of texts) yield [{ token: 0, text: piece }];
    })(),
    result: Promise.resolve(result),
  };
}

async function deltas(texts: string[], tools: ToolSetup | undefined) {
  const chunks = await Array.fromAsync(chatChunks(META, started(texts), tools, true));
  // deno-lint-ignore no-explicit-any
  return chunks.map((c: any) =>
    c.choices[0] ? [c.choices[0].delta, c.choices[0].finish_reason] : c.usage
  );
}

Deno.test("chatChunks() streams text, then a tool call whole, holding back the tag", async () => {
  const got = await deltas([
    "Let me ",
    "look.\n<to",
    'ol_call>\n{"name": "f", ',
    '"arguments": {}}\n</tool_call>',
  ], TOOLS);
  assertEquals(got.length, 6);
  assertEquals(got[0], [{ role: "assistant", content: "", refusal: null }, null]);
  assertEquals(got[1], [{ content: "Let me " }, null]);
  assertEquals(got[2], [{ content: "look.\n" }, null]);
  const [delta] = got[3] as [{ tool_calls: { index: number; id: string; function: unknown }[] }];
  assertEquals(delta.tool_calls[0].index, 0);
  assertEquals(delta.tool_calls[0].function, { name: "f", arguments: "{}" });
  assertEquals(got[4], [{}, "tool_calls"]);
  assertEquals(got[5], {
    prompt_tokens: 3,
    completion_tokens: 4,
    total_tokens: 7,
    prompt_tokens_details: { cached_tokens: 1 },
  });
});

Deno.test("chatChunks() releases held-back text that turns out not to be a call", async () => {
  const got = await deltas(["a <to", "y> b <tool_call>oops"], TOOLS);
  assertEquals(got.slice(1, -1), [
    [{ content: "a " }, null],
    [{ content: "<toy> b " }, null],
    [{ content: "<tool_call>oops" }, null],
    [{}, "stop"],
  ]);
  const plain = await deltas(["<tool_call>", "x"], undefined);
  assertEquals(plain.slice(1, 3), [[{ content: "<tool_call>" }, null], [{ content: "x" }, null]]);
});
