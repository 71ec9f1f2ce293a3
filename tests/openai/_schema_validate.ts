/**
 * A small JSON Schema validator for the subset json_schema_grammar.ts supports, so
 * tests can check that grammar-constrained output matches its schema.
 *
 * @module
 */

type Schema = Record<string, unknown>;

/** Returns the first violation of `schema` by `value` as a path and reason, or undefined. */
export function validate(
  value: unknown,
  schema: unknown,
  root: unknown = schema,
  path = "$",
): string | undefined {
  if (schema === true) return undefined;
  const s = schema as Schema;
  if (typeof s.$ref === "string") {
    const name = s.$ref.split("/").pop()!;
    const defs = { ...(root as Schema).definitions as Schema, ...(root as Schema).$defs as Schema };
    return validate(value, defs[name], root, path);
  }
  if ("const" in s) return same(value, s.const) ? undefined : `${path}: not the const`;
  if (Array.isArray(s.enum)) {
    return s.enum.some((e) => same(value, e)) ? undefined : `${path}: not in enum`;
  }
  for (const key of ["anyOf", "oneOf"]) {
    const branches = s[key] as unknown[] | undefined;
    if (branches && !branches.some((b) => validate(value, b, root, path) === undefined)) {
      return `${path}: matches no ${key} branch`;
    }
  }
  if (s.type === undefined) return undefined;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const errors = types.map((t) => checkType(value, t as string, s, root, path));
  return errors.includes(undefined) ? undefined : errors[0];
}

function checkType(
  value: unknown,
  type: string,
  s: Schema,
  root: unknown,
  path: string,
): string | undefined {
  switch (type) {
    case "null":
      return value === null ? undefined : `${path}: not null`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `${path}: not a boolean`;
    case "integer":
      return Number.isInteger(value) ? undefined : `${path}: not an integer`;
    case "number":
      return typeof value === "number" ? undefined : `${path}: not a number`;
    case "string": {
      if (typeof value !== "string") return `${path}: not a string`;
      const n = [...value].length;
      if (typeof s.minLength === "number" && n < s.minLength) return `${path}: too short`;
      if (typeof s.maxLength === "number" && n > s.maxLength) return `${path}: too long`;
      return undefined;
    }
    case "array": {
      if (!Array.isArray(value)) return `${path}: not an array`;
      if (typeof s.minItems === "number" && value.length < s.minItems) {
        return `${path}: too few items`;
      }
      if (typeof s.maxItems === "number" && value.length > s.maxItems) {
        return `${path}: too many items`;
      }
      for (const [i, item] of value.entries()) {
        const error = s.items === undefined
          ? undefined
          : validate(item, s.items, root, `${path}[${i}]`);
        if (error) return error;
      }
      return undefined;
    }
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return `${path}: not an object`;
      }
      const props = (s.properties ?? {}) as Schema;
      for (const key of (s.required ?? []) as string[]) {
        if (!(key in value)) return `${path}: missing "${key}"`;
      }
      for (const [key, item] of Object.entries(value)) {
        if (!(key in props)) {
          if (s.additionalProperties === false) return `${path}: unexpected "${key}"`;
          continue;
        }
        const error = validate(item, props[key], root, `${path}.${key}`);
        if (error) return error;
      }
      return undefined;
    }
    default:
      return `${path}: unknown type ${type}`;
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
