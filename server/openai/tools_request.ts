/**
 * Reads `tools`, `tool_choice` and `parallel_tool_calls` of a chat request against
 * the model's chat template: the template gets `tools` as a variable (as Hugging
 * Face templates expect), calls are parsed back from the output, and `required` or a
 * named function constrains the output with a grammar that forces one call.
 *
 * @module
 */
import { invalidRequest, unusableSchema } from "./errors.ts";
import {
  invalidValue,
  type JsonObject,
  optionalArray,
  optionalBoolean,
  optionalObject,
  optionalString,
  rejectUnknown,
  requiredString,
  wrongType,
} from "./fields.ts";
import { GrammarBuilder } from "../../engine/gbnf.ts";
import { UnsupportedSchemaError } from "../../engine/json_schema_grammar.ts";
import { GrammarError } from "../../engine/errors.ts";
import { checkGrammar } from "../../engine/grammar_check.ts";
import { detectToolFormat, type FunctionTool, type ToolFormat } from "./tool_formats.ts";

/** Tools in play for one request. */
export interface ToolSetup {
  /** The template's tool-call syntax. */
  format: ToolFormat;
  /** The template variable `tools`: the request's tools in OpenAI's shape. */
  templateTools: unknown[];
  /** A grammar forcing one call (tool_choice "required" or a named function). */
  grammar: string | undefined;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Reads the tool fields; undefined when no tools apply (none given, or
 * tool_choice "none"). Past tool calls in the history need `format` even then.
 *
 * @param template The chat template the request renders with.
 * @throws {OpenAiError} 400 for invalid fields, for tools on a template without tool
 *   support or with an unknown syntax, and for a forced call whose parameters schema
 *   is outside the supported subset.
 */
export function readTools(
  body: JsonObject,
  template: string,
): { setup: ToolSetup | undefined; format: ToolFormat | undefined } {
  const detected = detectToolFormat(template);
  const format = typeof detected === "string" ? undefined : detected;
  optionalBoolean(body.parallel_tool_calls, "parallel_tool_calls");
  const list = optionalArray(body.tools, "tools");
  if (list === undefined) {
    if (body.tool_choice !== undefined && body.tool_choice !== null) {
      throw invalidRequest(
        "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
        "tool_choice",
      );
    }
    return { setup: undefined, format };
  }
  if (list.length === 0) {
    throw invalidValue("tools", "empty array. Expected an array with minimum length 1");
  }
  const tools = list.map(readTool);
  const choice = readChoice(body.tool_choice, tools);
  if (detected === "none") {
    throw invalidRequest(
      "Invalid 'tools': this model's chat template has no tool support (it never mentions 'tools').",
      "tools",
      "tools_not_supported",
    );
  }
  if (detected === "unknown") {
    throw invalidRequest(
      "Invalid 'tools': this model's chat template writes tool calls in a syntax this server cannot " +
        "parse yet (supported: Hermes/Qwen <tool_call> blocks and Llama 3.1 JSON).",
      "tools",
      "tools_not_supported",
    );
  }
  if (choice === "none") return { setup: undefined, format: detected };
  const forced = choice === "auto"
    ? []
    : choice === "required"
    ? tools
    : tools.filter((t) => t.name === choice.name);
  return {
    setup: {
      format: detected,
      templateTools: list,
      grammar: forced.length === 0 ? undefined : forcedGrammar(detected, forced, tools),
    },
    format: detected,
  };
}

function readTool(raw: unknown, i: number): FunctionTool {
  const at = `tools[${i}]`;
  const tool = optionalObject(raw, at);
  if (tool === undefined) throw wrongType(at, "an object", raw);
  rejectUnknown(tool, new Set(["type", "function"]), at);
  const type = requiredString(tool.type, `${at}.type`);
  if (type !== "function") {
    throw invalidValue(`${at}.type`, `expected 'function', but got '${type}' instead`);
  }
  const fn = optionalObject(tool.function, `${at}.function`);
  if (fn === undefined) {
    throw invalidRequest(`Missing required parameter: '${at}.function'.`, `${at}.function`);
  }
  rejectUnknown(fn, new Set(["name", "description", "parameters", "strict"]), `${at}.function`);
  const name = requiredString(fn.name, `${at}.function.name`);
  if (!NAME.test(name)) {
    throw invalidValue(`${at}.function.name`, `'${name}' does not match '^[a-zA-Z0-9_-]{1,64}$'`);
  }
  optionalBoolean(fn.strict, `${at}.function.strict`);
  return {
    name,
    description: optionalString(fn.description, `${at}.function.description`),
    parameters: optionalObject(fn.parameters, `${at}.function.parameters`) ??
      { type: "object", properties: {} },
  };
}

function readChoice(
  value: unknown,
  tools: readonly FunctionTool[],
): "none" | "auto" | "required" | { name: string } {
  if (value === undefined || value === null) return "auto";
  if (typeof value === "string") {
    if (value === "none" || value === "auto" || value === "required") return value;
    throw invalidValue(
      "tool_choice",
      `expected 'none', 'auto', 'required' or an object, but got '${value}' instead`,
    );
  }
  const choice = optionalObject(value, "tool_choice");
  if (choice === undefined) throw wrongType("tool_choice", "a string or an object", value);
  rejectUnknown(choice, new Set(["type", "function"]), "tool_choice");
  if (requiredString(choice.type, "tool_choice.type") !== "function") {
    throw invalidValue("tool_choice.type", `expected 'function', but got '${choice.type}' instead`);
  }
  const fn = optionalObject(choice.function, "tool_choice.function");
  if (fn === undefined) {
    throw invalidRequest(
      "Missing required parameter: 'tool_choice.function'.",
      "tool_choice.function",
    );
  }
  rejectUnknown(fn, new Set(["name"]), "tool_choice.function");
  const name = requiredString(fn.name, "tool_choice.function.name");
  if (!tools.some((t) => t.name === name)) {
    throw invalidValue("tool_choice.function.name", `no function named '${name}' in 'tools'`);
  }
  return { name };
}

function forcedGrammar(
  format: ToolFormat,
  forced: readonly FunctionTool[],
  all: readonly FunctionTool[],
): string {
  // Each tool alone first, so the error names the tool at fault.
  for (const tool of forced) {
    const param = `tools[${all.indexOf(tool)}].function.parameters`;
    try {
      const builder = new GrammarBuilder();
      checkGrammar(builder.build(format.grammar(builder, [tool])));
    } catch (error) {
      if (error instanceof UnsupportedSchemaError) {
        throw invalidRequest(
          `Invalid '${param}': ${error.message}; a forced tool call needs a schema in the supported subset.`,
          param,
          "unsupported_schema",
        );
      }
      if (error instanceof GrammarError) throw unusableSchema(param, error);
      throw error;
    }
  }
  const builder = new GrammarBuilder();
  const grammar = builder.build(format.grammar(builder, forced));
  try {
    checkGrammar(grammar);
  } catch (error) {
    if (error instanceof GrammarError) throw unusableSchema("tools", error);
    throw error;
  }
  return grammar;
}
