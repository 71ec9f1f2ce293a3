/**
 * What a sheet column may hold, checked before it is stored: an AI column's spec (its
 * template's `{{column}}` names, model, sampling, max tokens, system prompt, JSON
 * schema), a data column's type, and a hand-edited value against that type. Checking
 * here means a bad column is refused once with its reason, instead of being stored and
 * failing in every one of its cells; and an edited value keeps the column's type, so
 * exports write what the column says (a Parquet number column never gets "abc").
 *
 * @module
 */
import { jsonSchemaToGrammar, UnsupportedSchemaError } from "../../engine/json_schema_grammar.ts";
import { resolveSampling } from "../../engine/sampling.ts";
import type { SheetAiSpec, SheetColumn, SheetColumnType, SheetValue } from "../../storage/mod.ts";
import { SheetColumnError } from "./errors.ts";
import { templateColumns } from "./prompt.ts";

/** Tokens per cell when a column does not say (AI Sheets' default is 512 too). */
export const DEFAULT_MAX_TOKENS = 512;

/** The data column types (storage's CHECK constraint lists the same). */
const COLUMN_TYPES: readonly SheetColumnType[] = ["string", "number", "boolean", "json"];

/** An AI column as a caller gives it; omitted fields take their defaults. */
export interface AiColumnInput {
  /** Instructions with `{{column}}` references; required. */
  prompt: string;
  /** Model path or `provider:model`; default null (the app's loaded model). */
  model?: string | null;
  /**
   * Sampling options, the engine's camelCase names (temperature, topP, topK, seed, ...:
   * engine/sampling.ts), numbers only; default {}.
   */
  sampling?: Record<string, number>;
  /** Default {@link DEFAULT_MAX_TOKENS}; integer in [1, 32768]. */
  max_tokens?: number;
  /** Default "". */
  system_prompt?: string;
  /** A JSON schema for structured output; default null. */
  json_schema?: unknown;
}

/**
 * A data column's type, checked; undefined is "string".
 *
 * @throws {SheetColumnError} For anything but "string", "number", "boolean" or "json".
 */
export function columnType(type: unknown, name: string): SheetColumnType {
  if (type === undefined) return "string";
  if (!COLUMN_TYPES.includes(type as SheetColumnType)) {
    throw new SheetColumnError(
      `The type of "${name}" must be one of ${COLUMN_TYPES.map((t) => `"${t}"`).join(", ")}, ` +
        `got ${JSON.stringify(type)}`,
    );
  }
  return type as SheetColumnType;
}

/**
 * A hand-edited value for a data column, as its type holds it. The UI sends text, so a
 * number column takes "42" as 42 and a boolean column "true"/"false" (any case) as a
 * boolean; a json column takes text that parses as JSON (kept as that text, as imports
 * keep it). null (a cleared cell) fits every type.
 *
 * @throws {SheetColumnError} For a value the type cannot hold, naming row and column.
 */
export function columnValue(column: SheetColumn, rowIdx: number, value: SheetValue): SheetValue {
  if (value === null) return null;
  const refuse = (what: string) =>
    new SheetColumnError(
      `Row ${rowIdx} of "${column.name}" holds ${what}: ${JSON.stringify(value)} is not one`,
    );
  switch (column.type) {
    case "string":
      return String(value);
    case "number": {
      if (typeof value === "number" && Number.isFinite(value)) return value;
      const number = typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
      if (!Number.isFinite(number)) throw refuse("numbers");
      return number;
    }
    case "boolean": {
      if (typeof value === "boolean") return value;
      const text = typeof value === "string" ? value.trim().toLowerCase() : "";
      if (text !== "true" && text !== "false") throw refuse("booleans (true or false)");
      return text === "true";
    }
    case "json": {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      try {
        JSON.parse(text);
      } catch {
        throw refuse("JSON");
      }
      return text;
    }
  }
}

/**
 * Validates an AI column's spec against the sheet's other columns and fills defaults.
 *
 * @param name The column's name (its template may not use it).
 * @param columns The sheet's other columns.
 * @throws {SheetColumnError} For a missing prompt, a `{{column}}` the sheet lacks, a
 *   model or system prompt that is not text, an unknown or out-of-range sampling option,
 *   a max_tokens outside [1, 32768], or a JSON schema the grammar cannot take.
 */
export function aiSpec(
  input: AiColumnInput,
  name: string,
  columns: readonly SheetColumn[],
): SheetAiSpec {
  if (typeof input?.prompt !== "string" || input.prompt.trim() === "") {
    throw new SheetColumnError(`AI column "${name}" needs a prompt`);
  }
  for (const ref of templateColumns(input.prompt)) {
    if (ref === name) {
      throw new SheetColumnError(`AI column "${name}" cannot use itself ({{${ref}}})`);
    }
    if (!columns.some((c) => c.name === ref)) {
      throw new SheetColumnError(
        `The prompt of "${name}" uses {{${ref}}}, but the sheet has no column "${ref}": ` +
          `it has ${columns.map((c) => `"${c.name}"`).join(", ") || "none"}`,
      );
    }
  }
  const model = input.model ?? null;
  if (model !== null && (typeof model !== "string" || model.trim() === "")) {
    throw new SheetColumnError(`The model of "${name}" must be a model name or null`);
  }
  const systemPrompt = input.system_prompt ?? "";
  if (typeof systemPrompt !== "string") {
    throw new SheetColumnError(`The system prompt of "${name}" must be text`);
  }
  const maxTokens = input.max_tokens ?? DEFAULT_MAX_TOKENS;
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > 32768) {
    throw new SheetColumnError(
      `max_tokens of "${name}" must be an integer in [1, 32768], got ${maxTokens}`,
    );
  }
  const schema = input.json_schema ?? null;
  if (schema !== null) {
    try {
      jsonSchemaToGrammar(schema);
    } catch (error) {
      if (
        error instanceof UnsupportedSchemaError || error instanceof TypeError ||
        error instanceof RangeError
      ) {
        throw new SheetColumnError(`The JSON schema of "${name}": ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }
  return {
    prompt: input.prompt,
    model,
    sampling: checkSampling(input.sampling ?? {}, name),
    max_tokens: maxTokens,
    system_prompt: systemPrompt,
    json_schema: schema,
  };
}

/**
 * A column's sampling options, checked by the engine's own rules (names and ranges, as
 * every cell's request will be); numbers only, since a column's grammar comes from its
 * JSON schema and logit biases are per model.
 */
function checkSampling(sampling: unknown, name: string): Record<string, number> {
  if (typeof sampling !== "object" || sampling === null || Array.isArray(sampling)) {
    throw new SheetColumnError(`The sampling options of "${name}" must be an object`);
  }
  for (const [key, value] of Object.entries(sampling)) {
    if (typeof value !== "number") {
      throw new SheetColumnError(
        `The sampling option "${key}" of "${name}" must be a number, got ${JSON.stringify(value)}`,
      );
    }
  }
  try {
    // Any positive vocabulary size: no logitBias can be here to check against it.
    resolveSampling(sampling, 1);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new SheetColumnError(`The sampling of "${name}": ${error.message}`, { cause: error });
    }
    throw error;
  }
  return { ...sampling as Record<string, number> };
}

/**
 * Checks a generated cell of a JSON-schema column: the grammar keeps the text on the
 * schema, but a reply cut off at max_tokens stops mid-JSON, and that is no answer.
 *
 * @param tokens Tokens the reply took; `maxTokens` the column's limit.
 * @throws {SyntaxError} When `text` is not complete JSON, saying whether max_tokens cut it.
 */
export function checkJsonCell(text: string, tokens: number, maxTokens: number): void {
  try {
    JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(
      tokens >= maxTokens
        ? `Cut off at max_tokens (${maxTokens}) before its JSON was complete: raise the ` +
          "column's max tokens, then retry the failed cells"
        : `The answer is not the JSON the schema asks for: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
