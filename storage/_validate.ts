/**
 * Checks for values that reach the database from outside (API patches, import files).
 * Each throws `TypeError` for a wrong shape and `RangeError` for a value out of range;
 * the error's `field` property names the field, so import can report it.
 *
 * @module
 */
import type { FinishReason, MessageState, Metrics, Overflow, Role, Sampling } from "./types.ts";

/** A `TypeError` or `RangeError` that names its field. */
export type FieldError = (TypeError | RangeError) & { field: string };

/** Throws a {@link FieldError}: `Invalid field "<field>": <what>`. */
export function fail(
  Ctor: typeof TypeError | typeof RangeError,
  field: string,
  what: string,
): never {
  throw Object.assign(new Ctor(`Invalid field "${field}": ${what}`), { field });
}

/** Formats a value for an error message. */
function show(value: unknown): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/** True for a plain object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks that `value` is a plain object. */
export function checkObject(value: unknown, field: string): Record<string, unknown> {
  if (!isObject(value)) fail(TypeError, field, `must be an object, got ${show(value)}`);
  return value;
}

/** Checks that `value` is a string. */
export function checkString(value: unknown, field: string): string {
  if (typeof value !== "string") fail(TypeError, field, `must be a string, got ${show(value)}`);
  return value;
}

/** Checks that `value` is a string or null. */
export function checkStringOrNull(value: unknown, field: string): string | null {
  return value === null ? null : checkString(value, field);
}

/** Checks that `value` is a finite number in `min..max`. */
export function checkNumber(
  value: unknown,
  field: string,
  min = -Infinity,
  max = Infinity,
): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    fail(TypeError, field, `must be a finite number, got ${show(value)}`);
  }
  if (value < min || value > max) {
    fail(RangeError, field, `must be in ${min}..${max}, got ${value}`);
  }
  return value;
}

/** Checks that `value` is an integer in `min..max`. */
export function checkInteger(value: unknown, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value)) {
    fail(TypeError, field, `must be an integer, got ${show(value)}`);
  }
  return checkNumber(value, field, min, max);
}

/** Checks that `value` is one of `allowed`. */
export function checkOneOf<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value as T)) {
    const list = allowed.map((item) => `"${item}"`).join(", ");
    fail(TypeError, field, `must be one of ${list}, got ${show(value)}`);
  }
  return value as T;
}

/** Rejects keys of `object` that are not in `known`. */
export function checkKeys(
  object: Record<string, unknown>,
  field: string,
  known: readonly string[],
) {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) fail(TypeError, field ? `${field}.${key}` : key, "unknown field");
  }
}

const UINT32_MAX = 2 ** 32 - 1;
// Far above any real context size; it keeps the value a safe 32-bit int for llama.cpp.
const INT32_MAX = 2 ** 31 - 1;

const SAMPLING_CHECKS: Record<keyof Sampling, (value: unknown, field: string) => number> = {
  temperature: (v, f) => checkNumber(v, f, 0),
  top_p: (v, f) => checkNumber(v, f, 0, 1),
  top_k: (v, f) => checkInteger(v, f, 0, INT32_MAX),
  min_p: (v, f) => checkNumber(v, f, 0, 1),
  repeat_penalty: (v, f) => checkNumber(v, f, 0),
  max_tokens: (v, f) => checkInteger(v, f, -1, INT32_MAX),
  seed: (v, f) => checkInteger(v, f, -1, UINT32_MAX),
};

/** Checks a (partial) sampling object: known keys only, each in its range. */
export function checkSampling(value: unknown, field: string): Sampling {
  const object = checkObject(value, field);
  checkKeys(object, field, Object.keys(SAMPLING_CHECKS));
  const sampling: Sampling = {};
  for (const [key, check] of Object.entries(SAMPLING_CHECKS)) {
    if (object[key] !== undefined) {
      sampling[key as keyof Sampling] = check(object[key], `${field}.${key}`);
    }
  }
  return sampling;
}

const METRIC_KEYS: readonly (keyof Metrics)[] = [
  "prompt_tokens",
  "cached_tokens",
  "completion_tokens",
  "ttft_ms",
  "prompt_tok_per_sec",
  "gen_tok_per_sec",
];

/** Speculative decoding's counts: kept only when a draft ran (the JSON column needs no migration). */
const DRAFT_METRIC_KEYS = ["draft_n", "draft_n_accepted"] as const;

/**
 * Checks a metrics object: all six fields, each a number >= 0, the optional draft counts
 * (integers >= 0), `duration_ms` (>= 0) and `n_ctx` (an integer >= 1).
 */
export function checkMetrics(value: unknown, field: string): Metrics {
  const object = checkObject(value, field);
  checkKeys(object, field, [...METRIC_KEYS, ...DRAFT_METRIC_KEYS, "duration_ms", "n_ctx"]);
  const metrics = {} as Metrics;
  for (const key of METRIC_KEYS) metrics[key] = checkNumber(object[key], `${field}.${key}`, 0);
  for (const key of DRAFT_METRIC_KEYS) {
    if (object[key] !== undefined && object[key] !== null) {
      metrics[key] = checkInteger(object[key], `${field}.${key}`, 0, Number.MAX_SAFE_INTEGER);
    }
  }
  if (object.duration_ms !== undefined && object.duration_ms !== null) {
    metrics.duration_ms = checkNumber(object.duration_ms, `${field}.duration_ms`, 0);
  }
  if (object.n_ctx !== undefined && object.n_ctx !== null) {
    metrics.n_ctx = checkInteger(object.n_ctx, `${field}.n_ctx`, 1, INT32_MAX);
  }
  return metrics;
}

/** Checks a context size: null (the default) or an integer 1..2^31-1 tokens. */
export function checkNCtx(value: unknown, field: string): number | null {
  return value === null ? null : checkInteger(value, field, 1, INT32_MAX);
}

/** The roles a message can have. */
export const ROLES: readonly Role[] = ["system", "user", "assistant"];
/** The states a message can be in. */
export const STATES: readonly MessageState[] = ["complete", "streaming", "incomplete", "error"];
/** The finish reasons a reply can have. */
export const FINISH_REASONS: readonly FinishReason[] = ["stop", "length", "abort"];
/** The overflow policies a chat can have. */
export const OVERFLOWS: readonly Overflow[] = ["error", "truncate-oldest"];
