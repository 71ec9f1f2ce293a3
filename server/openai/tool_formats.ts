/**
 * How chat templates write tool calls, per family: detection from the template text,
 * rendering past calls back into an assistant turn, parsing calls out of the output,
 * what a stream must hold back while a call may be starting, and the grammar that
 * forces one call.
 *
 * - Hermes / Qwen 2.5: `<tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>`,
 *   one block per call, after optional text.
 * - Llama 3.1: the whole turn is `{"name": ..., "parameters": {...}}` (its
 *   `<|python_tag|>` prefix is a special token, not rendered into text).
 *
 * @module
 */
import { gbnfLiteral, type GrammarBuilder } from "../../engine/gbnf.ts";
import { addSchema } from "../../engine/json_schema_grammar.ts";

/** One function call: its name and its arguments as JSON text (OpenAI's shape). */
export interface ToolCall {
  /** The function's name. */
  name: string;
  /** The arguments object as JSON text. */
  arguments: string;
}

/** A function the client offers (`tools[i].function`). */
export interface FunctionTool {
  /** The function's name: 1-64 of a-z, A-Z, 0-9, _ and -. */
  name: string;
  /** What it does, for the model. */
  description?: string;
  /** A JSON Schema of its arguments object. */
  parameters: Record<string, unknown>;
}

/** A template family's tool-call syntax. */
export interface ToolFormat {
  /** "hermes" or "llama3". */
  readonly family: "hermes" | "llama3";
  /** Writes past calls as the assistant turn's text (our ChatMessage holds text only). */
  render(content: string, calls: readonly ToolCall[]): string;
  /** Splits output into text and calls; `calls` is empty when there is no valid call. */
  parse(text: string): { content: string; calls: ToolCall[] };
  /** In a stream: the index from which `text` may be (the start of) a call. */
  holdFrom(text: string): number;
  /** Adds the rules forcing exactly one call of one of `tools`; returns the root body. */
  grammar(builder: GrammarBuilder, tools: readonly FunctionTool[]): string;
}

/**
 * What a chat template supports: "none" when it never mentions `tools`, a format
 * for a known family, or "unknown" for a template with tools in a syntax we cannot
 * parse yet.
 */
export function detectToolFormat(template: string): ToolFormat | "none" | "unknown" {
  if (!/\btools\b/.test(template)) return "none";
  if (template.includes("<tool_call>")) return HERMES;
  if (template.includes("<|start_header_id|>") && /"parameters"|<\|python_tag\|>/.test(template)) {
    return LLAMA3;
  }
  return "unknown";
}

const OPEN = "<tool_call>";
const CLOSE = "</tool_call>";

const HERMES: ToolFormat = {
  family: "hermes",
  render(content, calls) {
    const blocks = calls.map((c) =>
      `${OPEN}\n{"name": ${JSON.stringify(c.name)}, "arguments": ${
        asTojson(c.arguments)
      }}\n${CLOSE}`
    );
    return [content, ...blocks].filter((part) => part !== "").join("\n");
  },
  parse(text) {
    const start = text.indexOf(OPEN);
    if (start === -1) return { content: text, calls: [] };
    const calls: ToolCall[] = [];
    let rest = text.slice(start);
    while (rest.startsWith(OPEN)) {
      const end = rest.indexOf(CLOSE);
      // A model may end its turn (EOS) before writing the closing tag.
      const body = rest.slice(OPEN.length, end === -1 ? undefined : end);
      const call = readCall(body, "arguments");
      if (call === undefined) return { content: text, calls: [] };
      calls.push(call);
      rest = end === -1 ? "" : rest.slice(end + CLOSE.length).trimStart();
    }
    if (rest.trim() !== "") return { content: text, calls: [] };
    return { content: text.slice(0, start).trim(), calls };
  },
  holdFrom(text) {
    const at = text.indexOf(OPEN);
    if (at !== -1) return at;
    for (let n = Math.min(OPEN.length - 1, text.length); n > 0; n--) {
      if (OPEN.startsWith(text.slice(-n))) return text.length - n;
    }
    return text.length;
  },
  grammar(builder, tools) {
    const ws = builder.json("ws");
    const calls = tools.map((tool) => {
      const args = addSchema(builder, tool.parameters, `${tool.name}-args`);
      return builder.add(
        `call-${tool.name}`,
        `${gbnfLiteral(`${OPEN}\n{"name": ${JSON.stringify(tool.name)}, "arguments": `)} ${args} ` +
          `${ws} ${gbnfLiteral(`}\n${CLOSE}`)}`,
      );
    });
    return calls.join(" | ");
  },
};

const LLAMA3: ToolFormat = {
  family: "llama3",
  render(content, calls) {
    const json = calls.map((c) =>
      `{"name": ${JSON.stringify(c.name)}, "parameters": ${asTojson(c.arguments)}}`
    );
    return [content, ...json].filter((part) => part !== "").join("\n");
  },
  parse(text) {
    const call = readCall(text, "parameters") ?? readCall(text, "arguments");
    return call === undefined ? { content: text, calls: [] } : { content: "", calls: [call] };
  },
  holdFrom(text) {
    const trimmed = text.trimStart();
    return trimmed === "" || trimmed.startsWith("{") ? 0 : text.length;
  },
  grammar(builder, tools) {
    const ws = builder.json("ws");
    return tools.map((tool) => {
      const args = addSchema(builder, tool.parameters, `${tool.name}-args`);
      return builder.add(
        `call-${tool.name}`,
        `${gbnfLiteral(`{"name": ${JSON.stringify(tool.name)}, "parameters": `)} ${args} ${ws} "}"`,
      );
    }).join(" | ");
  },
};

/** Reads `{"name": "...", "<argsKey>": {...} | "json text"}`; undefined if it is not one. */
function readCall(text: string, argsKey: string): ToolCall | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.trim());
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { name, [argsKey]: args } = value as Record<string, unknown>;
  if (typeof name !== "string" || name === "") return undefined;
  if (typeof args === "string") return { name, arguments: args };
  if (typeof args !== "object" || args === null || Array.isArray(args)) return undefined;
  return { name, arguments: JSON.stringify(args) };
}

/**
 * Arguments JSON re-serialized as Hugging Face templates' `tojson` writes it
 * (Python's json.dumps: ", " and ": " separators, non-ASCII kept), so a past call
 * renders as the model's own template would render it. Text that is not JSON is kept.
 */
function asTojson(json: string): string {
  try {
    return tojson(JSON.parse(json));
  } catch {
    return json;
  }
}

function tojson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tojson).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${tojson(v)}`);
    return `{${entries.join(", ")}}`;
  }
  return JSON.stringify(value);
}
