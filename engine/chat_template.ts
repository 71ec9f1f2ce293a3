/**
 * Renders a model's own Jinja chat template (the GGUF key `tokenizer.chat_template`)
 * the way Hugging Face transformers' `apply_chat_template` does, using
 * `@huggingface/jinja`. Callers fall back to llama.cpp's built-in
 * `llama_chat_apply_template` when this throws {@linkcode ChatTemplateError}.
 *
 * @module
 */
import { Environment, Interpreter, Template } from "@huggingface/jinja";

/** Who wrote a chat message, as in the OpenAI chat API and HF chat templates. */
export type ChatRole = "system" | "user" | "assistant" | "tool";

/** One chat turn as the template sees it: `message['role']`, `message['content']`. */
export interface ChatMessage {
  /** One of `"system"`, `"user"`, `"assistant"` or `"tool"`. */
  role: ChatRole;
  /** The turn's text; may be empty. */
  content: string;
  /**
   * Images attached to the turn (encoded PNG, JPEG, BMP or GIF bytes), for a model with
   * an mmproj. Each stands where the content has a media marker
   * ({@linkcode MEDIA_MARKER}), in order; content without markers gets them in front.
   * Templates never see the bytes.
   */
  images?: Uint8Array[];
}

/**
 * The text that stands for one image in a prompt: libmtmd's default media marker
 * (`mtmd_default_marker()` in tools/mtmd/mtmd.h).
 */
export const MEDIA_MARKER = "<__media__>";

/** Per-render options of {@linkcode renderChatTemplate}. */
export interface RenderOptions {
  /**
   * End with the opening of the assistant's turn, so the model writes the reply.
   * Exposed to the template as `add_generation_prompt`.
   *
   * @default {true}
   */
  addGenerationPrompt?: boolean;
  /**
   * Text of the model's BOS token, exposed as `bos_token`. Pass `""` when the
   * tokenizer adds BOS itself, or the prompt will start with two of them.
   *
   * @default {""}
   */
  bosToken?: string;
  /**
   * Text of the model's EOS token, exposed as `eos_token`.
   *
   * @default {""}
   */
  eosToken?: string;
  /**
   * Extra variables passed to the template (e.g. `tools`, `enable_thinking`). They
   * may replace the helpers `raise_exception` and `strftime_now` (a fixed date makes
   * prompts reproducible) but never `messages`, `add_generation_prompt`,
   * `bos_token` or `eos_token`. Values must be JSON-like (plus functions).
   */
  extra?: Record<string, unknown>;
}

/**
 * Thrown when a chat template cannot be parsed or rendered, including when the
 * template itself calls `raise_exception(...)`. `cause` holds the underlying error.
 * Bad message shapes throw `TypeError`/`RangeError` instead, so a caller can fall
 * back to `llama_chat_apply_template` on this class alone.
 *
 * @example
 * ```ts
 * import { ChatTemplateError, renderChatTemplate } from "@hearth/hearth";
 *
 * try {
 *   renderChatTemplate("{{ raise_exception('No system role') }}", [{ role: "user", content: "Hi" }]);
 * } catch (error) {
 *   if (!(error instanceof ChatTemplateError)) throw error;
 *   // fall back to llama_chat_apply_template
 * }
 * ```
 */
export class ChatTemplateError extends SyntaxError {
  /**
   * Creates the error; the message is used as is.
   *
   * @param message What failed, e.g. "Cannot parse chat template: ...".
   * @param options `cause`: the error `@huggingface/jinja` threw, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ChatTemplateError";
  }
}

/**
 * ChatML, used when a model has no `tokenizer.chat_template`. llama-server does the
 * same: `common_chat_templates_init` in llama.cpp `common/chat.cpp` (commit de3ff81)
 * swaps in `CHATML_TEMPLATE_SRC` when the model's template is empty, so a model
 * without a template prompts alike in Hearth and llama-server. The text is
 * teknium/OpenHermes-2.5's template (llama.cpp `tests/test-chat-template.cpp`), also
 * stored in our `STORIES_260K_CHATML` test model; it renders the same as llama.cpp's.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { DEFAULT_CHAT_TEMPLATE, renderChatTemplate } from "@hearth/hearth";
 *
 * const prompt = renderChatTemplate(DEFAULT_CHAT_TEMPLATE, [{ role: "user", content: "Hi" }]);
 * strictEqual(prompt, "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
 * ```
 */
export const DEFAULT_CHAT_TEMPLATE: string =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + " +
  "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const ROLES: readonly ChatRole[] = ["system", "user", "assistant", "tool"];

/**
 * Checks that `messages` is a non-empty array of `{role, content}` and returns a copy
 * holding only those two fields.
 *
 * @param messages Untrusted input, e.g. a parsed request body.
 * @returns New message objects; the input is not modified.
 * @throws {TypeError} If `messages` is not an array, an entry is not an object, or
 * a `role` or `content` is not a string; the message names the index and field.
 * @throws {RangeError} If the array is empty or a `role` is not a {@linkcode ChatRole}.
 * @example
 * ```ts
 * import { validateMessages } from "./chat_template.ts";
 * validateMessages([{ role: "user", content: "Hi" }]); // [{ role: "user", content: "Hi" }]
 * ```
 */
export function validateMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages)) {
    throw new TypeError(`Invalid messages: expected an array, got ${describe(messages)}`);
  }
  if (messages.length === 0) {
    throw new RangeError("Invalid messages: the array is empty; send at least one message");
  }
  return messages.map((m: unknown, i): ChatMessage => {
    if (typeof m !== "object" || m === null || Array.isArray(m)) {
      throw new TypeError(`Invalid messages[${i}]: expected an object, got ${describe(m)}`);
    }
    const { role, content } = m as Record<string, unknown>;
    if (typeof role !== "string") {
      throw new TypeError(`Invalid messages[${i}].role: expected a string, got ${describe(role)}`);
    }
    if (!ROLES.includes(role as ChatRole)) {
      throw new RangeError(
        `Invalid messages[${i}].role: expected "system", "user", "assistant" or "tool", ` +
          `got ${JSON.stringify(role)}`,
      );
    }
    if (typeof content !== "string") {
      throw new TypeError(
        `Invalid messages[${i}].content: expected a string, got ${describe(content)}`,
      );
    }
    const images = (m as Record<string, unknown>).images;
    if (images === undefined) return { role: role as ChatRole, content };
    if (!Array.isArray(images) || !images.every((image) => image instanceof Uint8Array)) {
      throw new TypeError(
        `Invalid messages[${i}].images: expected an array of Uint8Array, got ${describe(images)}`,
      );
    }
    return { role: role as ChatRole, content, images };
  });
}

/**
 * Renders `messages` through a Jinja chat template into the prompt text to tokenize.
 * The template sees `messages`, `add_generation_prompt`, `bos_token`, `eos_token`,
 * the helpers `raise_exception(msg)` and `strftime_now(format)` (as in transformers),
 * and `options.extra`.
 *
 * @param template The model's `tokenizer.chat_template`; `undefined` or `""` means
 * {@linkcode DEFAULT_CHAT_TEMPLATE} (ChatML).
 * @param messages The conversation so far; checked with {@linkcode validateMessages}.
 * @param options See {@linkcode RenderOptions}.
 * @returns The prompt text, special tokens still as text.
 * @throws {ChatTemplateError} If the template does not parse, fails while rendering,
 * or calls `raise_exception`.
 * @throws {TypeError | RangeError} If `messages` has a bad shape, or `TypeError` if
 * `options.extra` holds a value Jinja cannot hold (a symbol or bigint).
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { renderChatTemplate } from "@hearth/hearth";
 *
 * const template = "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}";
 * const prompt = renderChatTemplate(template, [{ role: "user", content: "Hi" }]);
 * strictEqual(prompt, "[user] Hi\n");
 * ```
 */
export function renderChatTemplate(
  template: string | undefined,
  messages: readonly ChatMessage[],
  options: RenderOptions = {},
): string {
  const checked = validateMessages(messages);
  const compiled = compile(template || DEFAULT_CHAT_TEMPLATE);
  const env = new Environment();
  const variables: Record<string, unknown> = {
    ...JINJA_GLOBALS,
    raise_exception: raiseException,
    strftime_now: (format: string) => _strftime(new Date(), format),
    ...options.extra,
    // The template sees role and content only: image bytes stay out of Jinja.
    messages: checked.map(({ role, content }) => ({ role, content })),
    add_generation_prompt: options.addGenerationPrompt ?? true,
    bos_token: options.bosToken ?? "",
    eos_token: options.eosToken ?? "",
  };
  for (const [name, value] of Object.entries(variables)) {
    try {
      env.set(name, value);
    } catch (error) {
      throw new TypeError(`Invalid chat template variable "${name}": ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
  try {
    return String(new Interpreter(env).run(compiled.parsed).value);
  } catch (error) {
    if (error instanceof ChatTemplateError) throw error;
    throw new ChatTemplateError(`Cannot render chat template: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/**
 * The globals `@huggingface/jinja` 0.5.11 sets in `Template.render` (its
 * `setupGlobals` is not exported). We run the interpreter ourselves because `render`
 * throws "Variable already declared" when given our own `raise_exception` or
 * `strftime_now`, and we need both: the built-in `raise_exception` throws a plain
 * `Error` indistinguishable from interpreter bugs, and the built-in `strftime_now`
 * names months in the host's locale where transformers' Python gives English.
 */
const JINJA_GLOBALS: Readonly<Record<string, unknown>> = {
  true: true,
  false: false,
  none: null,
  True: true,
  False: false,
  None: null,
  range: pythonRange,
};

function raiseException(message: unknown): never {
  throw new ChatTemplateError(`Chat template rejected the messages: ${String(message)}`);
}

/**
 * Compiled templates by source. A chat re-renders the whole conversation every
 * turn, and parsing a 10 kB template costs more than rendering it. A server runs
 * one or a few models, so 8 entries hold every live template while a client
 * sending a fresh template per request cannot grow memory without bound. Parsing
 * is pure, so this memo is invisible to callers.
 */
const cache = new Map<string, Template>();
const CACHE_MAX_ENTRIES = 8;

function compile(source: string): Template {
  const hit = cache.get(source);
  if (hit !== undefined) {
    // Re-insert so Map order is least-recently-used first.
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  let compiled: Template;
  try {
    compiled = new Template(source);
  } catch (error) {
    throw new ChatTemplateError(`Cannot parse chat template: ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(source, compiled);
  return compiled;
}

/** Python's `range()`, which templates use for index loops. */
function pythonRange(start: number, stop?: number, step = 1): number[] {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new RangeError("Cannot compute range(): step is 0");
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

const MONTHS = ("January February March April May June July August September October " +
  "November December").split(" ");
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/**
 * A subset of Python's `strftime` in local time with the C locale's English names,
 * which is what transformers' `strftime_now` gives on a default server (Llama 3.x
 * templates write "Today Date: 26 Jul 2024" with `%d %b %Y`). Unknown directives are
 * left as written.
 *
 * @internal
 */
export function _strftime(date: Date, format: string): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return format.replace(/%[YymdBbAaHMS%]/g, (directive) => {
    switch (directive) {
      case "%Y":
        return String(date.getFullYear());
      case "%y":
        return pad(date.getFullYear() % 100);
      case "%m":
        return pad(date.getMonth() + 1);
      case "%d":
        return pad(date.getDate());
      case "%B":
        return MONTHS[date.getMonth()];
      case "%b":
        return MONTHS[date.getMonth()].slice(0, 3);
      case "%A":
        return DAYS[date.getDay()];
      case "%a":
        return DAYS[date.getDay()].slice(0, 3);
      case "%H":
        return pad(date.getHours());
      case "%M":
        return pad(date.getMinutes());
      case "%S":
        return pad(date.getSeconds());
      default:
        return "%";
    }
  });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? JSON.stringify(value) : typeof value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
