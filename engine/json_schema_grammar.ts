/**
 * JSON Schema to llama.cpp GBNF, for `response_format: {type: "json_schema"}` and
 * forced tool calls. The supported subset:
 *
 * - `type`: object, array, string, number, integer, boolean, null, or a list of them;
 * - object: `properties`, `required`, `additionalProperties: false` (also assumed when
 *   absent with `properties`); with neither, any JSON object;
 * - array: `items`, `minItems`, `maxItems`; string: `minLength`, `maxLength`;
 * - `enum`, `const`, `anyOf`, `oneOf` (as anyOf: a grammar cannot forbid a value
 *   matching two branches), `$ref` to `#/$defs/NAME` or `#/definitions/NAME`
 *   (recursion allowed); annotations (`title`, `description`, `default`, ...) are
 *   ignored.
 *
 * Anything else (`pattern`, `format`, `minimum`, `allOf`, ...) throws
 * {@link UnsupportedSchemaError} naming the keyword, so a schema is never silently
 * loosened. Properties come out in schema order, required ones first, as llama.cpp's
 * json-schema-to-grammar does.
 *
 * @module
 */
import { MAX_GRAMMAR_REPETITIONS } from "./grammar_check.ts";
import { gbnfLiteral, GrammarBuilder } from "./gbnf.ts";

/** Thrown for a schema the converter does not support, naming the keyword. */
export class UnsupportedSchemaError extends RangeError {
  /** The keyword at fault, e.g. "pattern". */
  readonly keyword: string;
  /** Where in the schema, as a JSON pointer, e.g. "#/properties/name". */
  readonly path: string;

  /** Creates the error; `reason` ends the message. */
  constructor(keyword: string, path: string, reason: string) {
    super(`Unsupported JSON schema keyword "${keyword}" at ${path}: ${reason}`);
    this.name = "UnsupportedSchemaError";
    this.keyword = keyword;
    this.path = path;
  }
}

const ANNOTATIONS = new Set([
  "title",
  "description",
  "default",
  "examples",
  "$comment",
  "$schema",
  "$id",
  "deprecated",
  "readOnly",
  "writeOnly",
]);
const KEYWORDS = new Set([
  ...ANNOTATIONS,
  "type",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "$ref",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
]);
const OBJECT_KEYS = ["properties", "required", "additionalProperties"];
const ARRAY_KEYS = ["items", "minItems", "maxItems"];
const STRING_KEYS = ["minLength", "maxLength"];
/** Deeper schemas are refused: recursion here follows the schema's nesting. */
const MAX_DEPTH = 64;

type Schema = Record<string, unknown>;

/**
 * Converts a JSON Schema to a GBNF grammar whose `root` matches the JSON texts
 * (without surrounding whitespace) that the schema accepts.
 *
 * @throws {UnsupportedSchemaError} for a keyword or value outside the subset.
 * @example
 * ```ts
 * import { jsonSchemaToGrammar } from "./json_schema_grammar.ts";
 * jsonSchemaToGrammar({ type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] });
 * ```
 */
export function jsonSchemaToGrammar(schema: unknown): string {
  const builder = new GrammarBuilder();
  return builder.build(addSchema(builder, schema, "schema"));
}

/**
 * Adds the rules of `schema` to `builder` (for grammars made of several schemas,
 * such as one tool call among several tools); returns the rule that matches it.
 *
 * @throws {UnsupportedSchemaError} for a keyword or value outside the subset.
 */
export function addSchema(builder: GrammarBuilder, schema: unknown, name: string): string {
  return new SchemaConverter(builder, schema).rule(schema, "#", name, 0);
}

class SchemaConverter {
  readonly #builder: GrammarBuilder;
  readonly #defs: Record<string, unknown>;
  readonly #refs = new Map<string, string>();

  constructor(builder: GrammarBuilder, root: unknown) {
    this.#builder = builder;
    const object = isObject(root) ? root : {};
    for (const key of ["$defs", "definitions"]) {
      if (object[key] !== undefined && !isObject(object[key])) {
        throw new UnsupportedSchemaError(key, "#", "expected an object of schemas");
      }
    }
    this.#defs = { ...object.definitions as Schema, ...object.$defs as Schema };
  }

  /** Adds `name ::= <schema>`; returns the rule's name. */
  rule(schema: unknown, path: string, name: string, depth: number): string {
    const ruleName = this.#builder.reserve(name);
    return this.#builder.define(ruleName, this.#body(schema, path, ruleName, depth));
  }

  #body(schema: unknown, path: string, name: string, depth: number): string {
    if (depth > MAX_DEPTH) {
      throw new UnsupportedSchemaError("", path, `nesting deeper than ${MAX_DEPTH} levels`);
    }
    if (schema === true) return this.#builder.json("json-value");
    if (!isObject(schema)) {
      throw new UnsupportedSchemaError(
        "",
        path,
        `expected a schema object, got ${JSON.stringify(schema)}`,
      );
    }
    for (const key of Object.keys(schema)) {
      const atRoot = depth === 0 && (key === "$defs" || key === "definitions");
      if (!KEYWORDS.has(key) && !atRoot) {
        throw new UnsupportedSchemaError(key, path, "not in the supported subset");
      }
    }
    const validating = Object.keys(schema).filter((k) => KEYWORDS.has(k) && !ANNOTATIONS.has(k));
    if (schema.$ref !== undefined) {
      only(validating, "$ref", path);
      return this.#ref(schema.$ref, path, depth);
    }
    if ("const" in schema) return gbnfLiteral(JSON.stringify(schema.const));
    if (schema.enum !== undefined) return this.#enum(schema.enum, path);
    for (const key of ["anyOf", "oneOf"]) {
      if (schema[key] === undefined) continue;
      only(validating, key, path);
      const branches = schema[key];
      if (!Array.isArray(branches) || branches.length === 0) {
        throw new UnsupportedSchemaError(key, path, "expected a non-empty array of schemas");
      }
      return branches.map((s, i) => this.rule(s, `${path}/${key}/${i}`, `${name}-${i}`, depth + 1))
        .join(" | ");
    }
    return this.#typed(schema, path, name, depth);
  }

  #typed(schema: Schema, path: string, name: string, depth: number): string {
    let types: unknown[];
    if (schema.type === undefined) {
      const has = (keys: string[]) => keys.some((k) => schema[k] !== undefined);
      types = has(OBJECT_KEYS)
        ? ["object"]
        : has(ARRAY_KEYS)
        ? ["array"]
        : has(STRING_KEYS)
        ? ["string"]
        : [];
      if (types.length === 0) return this.#builder.json("json-value");
    } else types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.length === 0) throw new UnsupportedSchemaError("type", path, "expected a type");
    const bodies = types.map((type) => {
      switch (type) {
        case "object":
          return this.#object(schema, path, name, depth);
        case "array":
          return this.#array(schema, path, name, depth);
        case "string":
          return this.#string(schema, path);
        case "number":
          return this.#builder.json("json-number");
        case "integer":
          return this.#builder.json("json-integer");
        case "boolean":
          return this.#builder.json("json-boolean");
        case "null":
          return this.#builder.json("json-null");
        default:
          throw new UnsupportedSchemaError("type", path, `unknown type ${JSON.stringify(type)}`);
      }
    });
    return bodies.length === 1 ? bodies[0] : bodies.map((b) => `( ${b} )`).join(" | ");
  }

  #object(schema: Schema, path: string, name: string, depth: number): string {
    const { properties, required = [], additionalProperties } = schema;
    if (properties !== undefined && !isObject(properties)) {
      throw new UnsupportedSchemaError("properties", path, "expected an object of schemas");
    }
    if (!Array.isArray(required) || required.some((r) => typeof r !== "string")) {
      throw new UnsupportedSchemaError("required", path, "expected an array of property names");
    }
    const props = properties ?? {};
    const missing = (required as string[]).find((r) => !(r in props));
    if (missing !== undefined) {
      throw new UnsupportedSchemaError("required", path, `"${missing}" is not in properties`);
    }
    if (additionalProperties !== undefined && typeof additionalProperties !== "boolean") {
      throw new UnsupportedSchemaError("additionalProperties", path, "only false is supported");
    }
    if (properties === undefined && additionalProperties !== false) {
      return this.#builder.json("json-object");
    }
    if (additionalProperties === true) {
      throw new UnsupportedSchemaError("additionalProperties", path, "only false is supported");
    }
    const ws = this.#builder.json("ws");
    const kv = (key: string) => {
      const value = this.rule(props[key], `${path}/properties/${key}`, `${name}-${key}`, depth + 1);
      return this.#builder.add(
        `${name}-${key}-kv`,
        `${gbnfLiteral(JSON.stringify(key))} ${ws} ":" ${ws} ${value}`,
      );
    };
    const keys = Object.keys(props);
    const req = keys.filter((k) => required.includes(k)).map(kv);
    const opt = keys.filter((k) => !required.includes(k)).map(kv);
    let optional = "";
    if (opt.length > 0) {
      // opt-i matches optional properties i.. in order, each present or not.
      const names = opt.map((_, i) => this.#builder.reserve(`${name}-opt-${i}`));
      opt.forEach((kvRule, i) => {
        const rest = i + 1 < opt.length ? ` ( "," ${ws} ${names[i + 1]} )? | ${names[i + 1]}` : "";
        this.#builder.define(names[i], `${kvRule} ${ws}${rest}`);
      });
      optional = req.length > 0 ? ` ( "," ${ws} ${names[0]} )?` : ` ( ${names[0]} )?`;
    }
    const head = req.map((r) => `${r} ${ws}`).join(` "," ${ws} `);
    return `"{" ${ws} ${head}${optional} "}"`;
  }

  #array(schema: Schema, path: string, name: string, depth: number): string {
    const { items } = schema;
    if (Array.isArray(items)) throw new UnsupportedSchemaError("items", path, "tuple form");
    const min = count(schema, "minItems", path) ?? 0;
    const max = count(schema, "maxItems", path);
    if (max !== undefined && max < min) {
      throw new UnsupportedSchemaError("maxItems", path, "less than minItems");
    }
    const ws = this.#builder.json("ws");
    if (max === 0) return `"[" ${ws} "]"`;
    const item = items === undefined
      ? this.#builder.json("json-value")
      : this.rule(items, `${path}/items`, `${name}-item`, depth + 1);
    const more = `( "," ${ws} ${item} ${ws} )`;
    if (min === 0) {
      const rest = max === undefined ? `${more}*` : `${more}{0,${max - 1}}`;
      return `"[" ${ws} ( ${item} ${ws} ${rest} )? "]"`;
    }
    return `"[" ${ws} ${item} ${ws} ${more}{${min - 1},${max === undefined ? "" : max - 1}} "]"`;
  }

  #string(schema: Schema, path: string): string {
    const min = count(schema, "minLength", path) ?? 0;
    const max = count(schema, "maxLength", path);
    if (max !== undefined && max < min) {
      throw new UnsupportedSchemaError("maxLength", path, "less than minLength");
    }
    if (min === 0 && max === undefined) return this.#builder.json("json-string");
    const char = this.#builder.json("json-char");
    return `"\\"" ${char}{${min},${max ?? ""}} "\\""`;
  }

  #enum(values: unknown, path: string): string {
    if (!Array.isArray(values) || values.length === 0) {
      throw new UnsupportedSchemaError("enum", path, "expected a non-empty array");
    }
    return values.map((v) => gbnfLiteral(JSON.stringify(v))).join(" | ");
  }

  #ref(ref: unknown, path: string, depth: number): string {
    const match = typeof ref === "string" ? /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref) : null;
    if (match === null) {
      throw new UnsupportedSchemaError(
        "$ref",
        path,
        `only "#/$defs/NAME" is supported, got ${JSON.stringify(ref)}`,
      );
    }
    let key: string;
    try {
      key = decodeURIComponent(match[2]).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      throw new UnsupportedSchemaError(
        "$ref",
        path,
        `${JSON.stringify(ref)} is not valid percent-encoding`,
      );
    }
    if (!(key in this.#defs)) {
      throw new UnsupportedSchemaError("$ref", path, `no definition "${key}"`);
    }
    const known = this.#refs.get(key);
    if (known !== undefined) return known;
    const name = this.#builder.reserve(`def-${key}`);
    this.#refs.set(key, name);
    this.#builder.define(name, this.#body(this.#defs[key], `#/$defs/${key}`, name, depth + 1));
    return name;
  }
}

function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Refuses validating keywords beside `keyword`, whose combination the subset lacks. */
function only(validating: string[], keyword: string, path: string): void {
  const other = validating.find((k) => k !== keyword);
  if (other !== undefined) {
    throw new UnsupportedSchemaError(other, path, `cannot be combined with "${keyword}"`);
  }
}

/**
 * Largest `minItems`/`maxItems`/`minLength`/`maxLength`: they become GBNF repetitions,
 * and llama.cpp refuses an item repeated 2000 times or more (`MAX_REPETITION_THRESHOLD`;
 * a larger upper bound it would silently drop).
 */
const MAX_COUNT = MAX_GRAMMAR_REPETITIONS - 1;

function count(schema: Schema, key: string, path: string): number | undefined {
  const value = schema[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_COUNT) {
    throw new UnsupportedSchemaError(
      key,
      path,
      `expected an integer in [0, ${MAX_COUNT}] (llama.cpp's grammars repeat an item fewer than ${MAX_GRAMMAR_REPETITIONS} times)`,
    );
  }
  return value;
}
