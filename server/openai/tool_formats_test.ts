import { assertEquals } from "../../tests/assert.ts";
import { QWEN25_TEMPLATE } from "../../tests/openai/_qwen25_template.ts";
import { DEFAULT_CHAT_TEMPLATE } from "../../engine/chat_template.ts";
import { detectToolFormat, type ToolFormat } from "./tool_formats.ts";

/** The tool parts of Llama 3.1 Instruct's template (enough for detection). */
const LLAMA31_TOOLS =
  `{%- if tools is not none %}{{- "<|start_header_id|>user<|end_header_id|>\\n\\n" -}}` +
  `{{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}` +
  `{%- endif %}{{- '<|python_tag|>' }}`;

function format(template: string): ToolFormat {
  const detected = detectToolFormat(template);
  if (typeof detected === "string") throw new Error(`no format: ${detected}`);
  return detected;
}

Deno.test("detectToolFormat() tells the families apart", () => {
  assertEquals(detectToolFormat(DEFAULT_CHAT_TEMPLATE), "none");
  assertEquals(format(QWEN25_TEMPLATE).family, "hermes");
  assertEquals(format(LLAMA31_TOOLS).family, "llama3");
  assertEquals(detectToolFormat("{% if tools %}[AVAILABLE_TOOLS]{% endif %}"), "unknown");
});

Deno.test("hermes format parses calls after text, and refuses broken ones", () => {
  const hermes = format(QWEN25_TEMPLATE);
  const text = 'Let me check.\n<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>\n' +
    '<tool_call>\n{"name": "g", "arguments": "{}"}\n</tool_call>';
  assertEquals(hermes.parse(text), {
    content: "Let me check.",
    calls: [{ name: "f", arguments: '{"a":1}' }, { name: "g", arguments: "{}" }],
  });
  // The model may end its turn before the closing tag.
  assertEquals(hermes.parse('<tool_call>\n{"name": "f", "arguments": {}}').calls.length, 1);
  const broken = '<tool_call>\n{"name": "f", "arguments": {</tool_call>';
  assertEquals(hermes.parse(broken), { content: broken, calls: [] });
  assertEquals(hermes.parse("no calls"), { content: "no calls", calls: [] });
});

Deno.test("hermes format holds back what may start a call", () => {
  const hermes = format(QWEN25_TEMPLATE);
  assertEquals(hermes.holdFrom("Hello"), 5);
  assertEquals(hermes.holdFrom("Hello <tool"), 6);
  assertEquals(hermes.holdFrom("Hello <tool_call>{"), 6);
  assertEquals(hermes.holdFrom("a < b"), 5);
});

Deno.test("hermes format renders past calls as Qwen's template would", () => {
  const hermes = format(QWEN25_TEMPLATE);
  assertEquals(
    hermes.render("", [{ name: "f", arguments: '{"a":[1,2],"b":{"c":"é"}}' }]),
    '<tool_call>\n{"name": "f", "arguments": {"a": [1, 2], "b": {"c": "é"}}}\n</tool_call>',
  );
});

Deno.test("llama3 format parses a whole-turn JSON call", () => {
  const llama = format(LLAMA31_TOOLS);
  assertEquals(llama.parse(' {"name": "f", "parameters": {"x": "y"}}'), {
    content: "",
    calls: [{ name: "f", arguments: '{"x":"y"}' }],
  });
  assertEquals(llama.parse("Hi {"), { content: "Hi {", calls: [] });
  assertEquals(llama.holdFrom('  {"na'), 0);
  assertEquals(llama.holdFrom("Hi"), 2);
  assertEquals(
    llama.render("", [{ name: "f", arguments: "{}" }]),
    '{"name": "f", "parameters": {}}',
  );
});
