/**
 * `response_format` to a GBNF grammar: `text` is free text, `json_object` any JSON
 * object, `json_schema` the schema's subset (see json_schema_grammar.ts).
 *
 * @module
 */
import { invalidRequest, unusableSchema } from "./errors.ts";
import {
  invalidValue,
  optionalBoolean,
  optionalObject,
  optionalString,
  rejectUnknown,
  requiredString,
  wrongType,
} from "./fields.ts";
import { jsonObjectGrammar } from "../../engine/gbnf.ts";
import { jsonSchemaToGrammar, UnsupportedSchemaError } from "../../engine/json_schema_grammar.ts";
import { GrammarError } from "../../engine/errors.ts";
import { checkGrammar } from "../../engine/grammar_check.ts";

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Reads `response_format`; returns the grammar it implies, or undefined for text.
 *
 * @throws {OpenAiError} 400 for a malformed field, a schema outside the subset (the
 *   message names the keyword), or one whose grammar llama.cpp cannot take (the reason).
 */
export function readResponseFormat(value: unknown): string | undefined {
  const format = optionalObject(value, "response_format");
  if (format === undefined) return undefined;
  const type = requiredString(format.type, "response_format.type");
  switch (type) {
    case "text":
      rejectUnknown(format, new Set(["type"]), "response_format");
      return undefined;
    case "json_object":
      rejectUnknown(format, new Set(["type"]), "response_format");
      return jsonObjectGrammar();
    case "json_schema":
      rejectUnknown(format, new Set(["type", "json_schema"]), "response_format");
      return schemaGrammar(format.json_schema);
    default:
      throw invalidValue(
        "response_format.type",
        `expected one of 'text', 'json_object', 'json_schema', but got '${type}' instead`,
      );
  }
}

function schemaGrammar(value: unknown): string {
  const param = "response_format.json_schema";
  const spec = optionalObject(value, param);
  if (spec === undefined) {
    if (value === undefined) throw invalidRequest(`Missing required parameter: '${param}'.`, param);
    throw wrongType(param, "an object", value);
  }
  rejectUnknown(spec, new Set(["name", "description", "schema", "strict"]), param);
  const name = requiredString(spec.name, `${param}.name`);
  if (!NAME.test(name)) {
    throw invalidValue(`${param}.name`, `'${name}' does not match '^[a-zA-Z0-9_-]{1,64}$'`);
  }
  optionalString(spec.description, `${param}.description`);
  optionalBoolean(spec.strict, `${param}.strict`);
  const schema = optionalObject(spec.schema, `${param}.schema`);
  // OpenAI allows the schema to be absent: any JSON object then.
  if (schema === undefined) return jsonObjectGrammar();
  try {
    const grammar = jsonSchemaToGrammar(schema);
    // Here, not in the Worker: llama.cpp would only say "failed to parse grammar".
    checkGrammar(grammar);
    return grammar;
  } catch (error) {
    if (error instanceof GrammarError) throw unusableSchema(`${param}.schema`, error);
    if (!(error instanceof UnsupportedSchemaError)) throw error;
    throw invalidRequest(
      `Invalid '${param}.schema': ${error.message}.`,
      `${param}.schema`,
      "unsupported_schema",
    );
  }
}
