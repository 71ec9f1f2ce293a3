import { equal, match, ok, throws } from "node:assert/strict";
import { gguf } from "@huggingface/gguf";
import { STORIES_260K_CHATML, VOCAB_PHI3 } from "../tests/models.ts";
import {
  _strftime,
  type ChatMessage,
  ChatTemplateError,
  DEFAULT_CHAT_TEMPLATE,
  renderChatTemplate,
  validateMessages,
} from "./chat_template.ts";

async function templateOf(path: string): Promise<string> {
  const { metadata } = await gguf(path, { allowLocalFile: true });
  const template = (metadata as Record<string, unknown>)["tokenizer.chat_template"];
  if (typeof template !== "string") throw new Error(`No chat template in "${path}"`);
  return template;
}

const CHAT: ChatMessage[] = [
  { role: "system", content: "You are kind." },
  { role: "user", content: "Hi" },
];
const CHATML_OUT = "<|im_start|>system\nYou are kind.<|im_end|>\n" +
  "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";

function isChatTemplateError(text: RegExp) {
  return (error: unknown) =>
    error instanceof ChatTemplateError && error.name === "ChatTemplateError" &&
    text.test(error.message);
}

Deno.test("renderChatTemplate() renders ChatML exactly", async () => {
  const template = await templateOf(STORIES_260K_CHATML);
  equal(template, DEFAULT_CHAT_TEMPLATE);
  equal(renderChatTemplate(template, CHAT), CHATML_OUT);
  // The second render hits the compiled-template cache and must not differ.
  equal(renderChatTemplate(template, CHAT, { addGenerationPrompt: true }), CHATML_OUT);
});

Deno.test("renderChatTemplate() renders Phi-3 with bos_token", async () => {
  const template = await templateOf(VOCAB_PHI3);
  const out = renderChatTemplate(template, [{ role: "user", content: "Hi" }], { bosToken: "<s>" });
  equal(out, "<s><|user|>\nHi<|end|>\n<|assistant|>\n");
});

Deno.test("renderChatTemplate() falls back to ChatML for a missing template", () => {
  equal(renderChatTemplate(undefined, CHAT), CHATML_OUT);
  equal(renderChatTemplate("", CHAT), CHATML_OUT);
});

Deno.test("renderChatTemplate() omits the assistant opening without a generation prompt", () => {
  equal(
    renderChatTemplate(undefined, CHAT, { addGenerationPrompt: false }),
    "<|im_start|>system\nYou are kind.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n",
  );
});

Deno.test("renderChatTemplate() turns raise_exception() into ChatTemplateError", () => {
  const template = "{% if messages[0]['role'] == 'system' %}" +
    "{{ raise_exception('System role not supported') }}{% endif %}" +
    "{% for m in messages %}{{ m['content'] }}{% endfor %}";
  throws(
    () => renderChatTemplate(template, CHAT),
    isChatTemplateError(/System role not supported/),
  );
  equal(renderChatTemplate(template, [{ role: "user", content: "ok" }]), "ok");
});

Deno.test("renderChatTemplate() throws ChatTemplateError on a syntax error", () => {
  throws(
    () => renderChatTemplate("{% for m in messages %}{{ m.content }", CHAT),
    isChatTemplateError(/^Cannot parse chat template: /),
  );
  throws(
    () => renderChatTemplate("{% if %}{% endfor %}", CHAT),
    isChatTemplateError(/^Cannot parse chat template: /),
  );
});

Deno.test("renderChatTemplate() throws ChatTemplateError on a render failure", () => {
  throws(
    () => renderChatTemplate("{{ messages[0].content.no_such_method() }}", CHAT),
    (error: unknown) => {
      ok(error instanceof ChatTemplateError);
      match(error.message, /^Cannot render chat template: /);
      ok(error.cause instanceof Error);
      return true;
    },
  );
});

Deno.test("renderChatTemplate() handles system branching, loop.last and trim", () => {
  // Shaped like Llama 2 / Mistral templates: fold the system prompt into the first turn.
  const template = "{{ bos_token }}" +
    "{% if messages[0]['role'] == 'system' %}" +
    "{% set system = messages[0]['content'] | trim %}{% set rest = messages[1:] %}" +
    "{% else %}{% set system = '' %}{% set rest = messages %}{% endif %}\n" +
    "{% for message in rest %}\n" +
    "  {% if message['role'] == 'user' %}" +
    "[INST] {% if loop.first and system %}{{ system }}\n\n{% endif %}" +
    "{{ message['content'] | trim }} [/INST]" +
    "{% else %}{{ ' ' + message['content'] | trim + eos_token }}{% endif %}" +
    "{% if not loop.last %}|{% endif %}\n" +
    "{% endfor %}";
  const messages: ChatMessage[] = [
    { role: "system", content: "  Be brief. " },
    { role: "user", content: " Hi " },
    { role: "assistant", content: "Hello " },
    { role: "user", content: "Bye" },
  ];
  equal(
    renderChatTemplate(template, messages, { bosToken: "<s>", eosToken: "</s>" }),
    "<s>[INST] Be brief.\n\nHi [/INST]| Hello</s>|[INST] Bye [/INST]",
  );
});

Deno.test("renderChatTemplate() passes extra variables and range()", () => {
  const template = "{% for i in range(2) %}{{ i }}{% endfor %}" +
    "{% if enable_thinking is defined and not enable_thinking %}/no_think{% endif %}" +
    "{{ tools | length }}{{ strftime_now('%Y-%m-%d') }}";
  const out = renderChatTemplate(template, CHAT, {
    extra: { enable_thinking: false, tools: [{ name: "a" }], strftime_now: () => "2024-07-26" },
  });
  equal(out, "01/no_think12024-07-26");
});

Deno.test("renderChatTemplate() strftime_now() formats today's date", () => {
  const out = renderChatTemplate("{{ strftime_now('%Y') }}", CHAT);
  equal(out, String(new Date().getFullYear()));
});

Deno.test("_strftime() formats Python directives with English names", () => {
  const date = new Date(2024, 6, 5, 9, 3, 7);
  equal(_strftime(date, "%d %b %Y"), "05 Jul 2024");
  equal(
    _strftime(date, "%B %d, %Y %H:%M:%S %y-%m %a %A 100%% %Z"),
    "July 05, 2024 09:03:07 " +
      "24-07 Fri Friday 100% %Z",
  );
});

Deno.test("renderChatTemplate() validates messages before rendering", () => {
  throws(
    () => renderChatTemplate(undefined, [{ role: "bot" } as unknown as ChatMessage]),
    RangeError,
  );
});

Deno.test("validateMessages() names the index and field", () => {
  const bad = (messages: unknown, type: ErrorConstructor, text: RegExp) =>
    throws(() => validateMessages(messages), (error: unknown) => {
      ok(error instanceof type, `expected ${type.name}, got ${error}`);
      ok(!(error instanceof ChatTemplateError));
      match((error as Error).message, text);
      return true;
    });
  bad("hi", TypeError, /^Invalid messages: expected an array, got "hi"$/);
  bad([], RangeError, /^Invalid messages: the array is empty/);
  bad([null], TypeError, /^Invalid messages\[0\]: expected an object, got null$/);
  bad(
    [{ role: "user", content: "a" }, { role: "bot", content: "b" }],
    RangeError,
    /messages\[1\]\.role/,
  );
  bad([{ role: 1, content: "a" }], TypeError, /^Invalid messages\[0\]\.role: .* got number$/);
  bad([{ role: "user", content: ["a"] }], TypeError, /messages\[0\]\.content: .* got an array$/);
});

Deno.test("validateMessages() copies only role and content", () => {
  const input = [{ role: "tool", content: "42", extra: true }];
  const out = validateMessages(input);
  equal(JSON.stringify(out), '[{"role":"tool","content":"42"}]');
  ok(out[0] !== input[0]);
});

Deno.test("renderChatTemplate() still renders after the template cache evicts", () => {
  const render = (i: number) => renderChatTemplate(`${i}:{{ messages | length }}`, CHAT);
  for (let i = 0; i < 12; i++) equal(render(i), `${i}:2`);
  for (let i = 0; i < 12; i++) equal(render(i), `${i}:2`);
});
