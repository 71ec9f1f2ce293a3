/**
 * Readers for request fields that throw 400 `invalid_request_error` naming the field,
 * worded as OpenAI words them ("Invalid type for 'temperature': expected a number,
 * but got a string instead."). JSON `null` reads as absent, as in OpenAI's API.
 *
 * @module
 */
import { invalidRequest, type OpenAiError } from "./errors.ts";

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** Describes a JSON value's type for error messages: "a string", "null", "an array". */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  return `a ${typeof value}`;
}

/** 400 for a field of the wrong type. */
export function wrongType(param: string, expected: string, value: unknown): OpenAiError {
  return invalidRequest(
    `Invalid type for '${param}': expected ${expected}, but got ${describe(value)} instead.`,
    param,
    "invalid_type",
  );
}

/** 400 for a field whose value is not allowed. */
export function invalidValue(param: string, reason: string): OpenAiError {
  return invalidRequest(`Invalid '${param}': ${reason}.`, param, "invalid_value");
}

/** 400 for a missing required field. */
export function missing(param: string): OpenAiError {
  return invalidRequest(
    `Missing required parameter: '${param}'.`,
    param,
    "missing_required_parameter",
  );
}

/**
 * Refuses keys of `object` outside `known`, as OpenAI does
 * ("Unrecognized request argument supplied: foo").
 *
 * @param prefix The object's own path ("" for the body, "messages[0]" for a message).
 */
export function rejectUnknown(object: JsonObject, known: ReadonlySet<string>, prefix = ""): void {
  for (const key of Object.keys(object)) {
    if (known.has(key)) continue;
    const param = prefix === "" ? key : `${prefix}.${key}`;
    throw invalidRequest(
      `Unrecognized request argument supplied: ${param}`,
      param,
      "unknown_parameter",
    );
  }
}

/** Reads a JSON object (or undefined when absent or null). */
export function optionalObject(value: unknown, param: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw wrongType(param, "an object", value);
  return value as JsonObject;
}

/** Reads a string (or undefined when absent or null). */
export function optionalString(value: unknown, param: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw wrongType(param, "a string", value);
  return value;
}

/** Reads a required string. */
export function requiredString(value: unknown, param: string): string {
  const text = optionalString(value, param);
  if (text === undefined) throw missing(param);
  return text;
}

/** Reads a boolean (or undefined when absent or null). */
export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw wrongType(param, "a boolean", value);
  return value;
}

/** Bounds of a number field. */
export interface NumberRange {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Require an integer. */
  integer?: boolean;
}

/** Reads a finite number within `range` (or undefined when absent or null). */
export function optionalNumber(
  value: unknown,
  param: string,
  range: NumberRange = {},
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const noun = range.integer ? "integer" : "number";
  const kind = range.integer ? "an integer" : "a number";
  if (typeof value !== "number" || !Number.isFinite(value)) throw wrongType(param, kind, value);
  if (range.integer && !Number.isSafeInteger(value)) throw wrongType(param, kind, value);
  if (range.min !== undefined && value < range.min) {
    const expected = `Expected a value >= ${range.min}, but got ${value} instead`;
    throw invalidValue(param, `${noun} below minimum value. ${expected}`);
  }
  if (range.max !== undefined && value > range.max) {
    const expected = `Expected a value <= ${range.max}, but got ${value} instead`;
    throw invalidValue(param, `${noun} above maximum value. ${expected}`);
  }
  return value;
}

/** Reads an array (or undefined when absent or null). */
export function optionalArray(value: unknown, param: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(param, "an array", value);
  return value;
}

/** Reads one of `choices` (or undefined when absent or null). */
export function optionalChoice<T extends string>(
  value: unknown,
  param: string,
  choices: readonly T[],
): T | undefined {
  const text = optionalString(value, param);
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) {
    throw invalidValue(
      param,
      `expected one of ${choices.map((c) => `'${c}'`).join(", ")}, but got '${text}' instead`,
    );
  }
  return text as T;
}
