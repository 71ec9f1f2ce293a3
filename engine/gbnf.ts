/**
 * Builds llama.cpp GBNF grammars (grammars/README.md in llama.cpp): rule names,
 * literals, and the generic JSON rules of llama.cpp's `grammars/json.gbnf`, from
 * which the schema and tool-call grammars are made.
 *
 * @module
 */

/**
 * The generic JSON rules. Whitespace (`ws`) is bounded, as in llama.cpp's json.gbnf,
 * and so are digit runs (as in its json-schema-to-grammar): a small model can
 * otherwise emit spaces or digits until max_tokens instead of closing the value.
 */
const JSON_RULES: Readonly<Record<string, { body: string; uses: readonly string[] }>> = {
  ws: { body: String.raw`| " " | "\n" [ \t]{0,20}`, uses: [] },
  "json-value": {
    body: "json-object | json-array | json-string | json-number | json-boolean | json-null",
    uses: ["json-object", "json-array", "json-string", "json-number", "json-boolean", "json-null"],
  },
  "json-object": {
    body: String.raw`"{" ws ( json-string ws ":" ws json-value ws ` +
      String.raw`( "," ws json-string ws ":" ws json-value ws )* )? "}"`,
    uses: ["ws", "json-string", "json-value"],
  },
  "json-array": {
    body: String.raw`"[" ws ( json-value ws ( "," ws json-value ws )* )? "]"`,
    uses: ["ws", "json-value"],
  },
  "json-string": { body: String.raw`"\"" json-char* "\""`, uses: ["json-char"] },
  "json-char": {
    body: String.raw`[^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})`,
    uses: [],
  },
  "json-number": {
    body: String.raw`json-integer ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )?`,
    uses: ["json-integer"],
  },
  "json-integer": { body: String.raw`"-"? ( "0" | [1-9] [0-9]{0,15} )`, uses: [] },
  "json-boolean": { body: String.raw`"true" | "false"`, uses: [] },
  "json-null": { body: String.raw`"null"`, uses: [] },
};

/** Names of the generic JSON rules a grammar can use. */
export type JsonRule =
  | "ws"
  | "json-value"
  | "json-object"
  | "json-array"
  | "json-string"
  | "json-char"
  | "json-number"
  | "json-integer"
  | "json-boolean"
  | "json-null";

/**
 * A GBNF string literal matching `text` exactly. Quotes and backslashes are escaped,
 * control characters written as `\xHH`; other characters go in as UTF-8, which
 * llama.cpp's grammar parser decodes.
 */
export function gbnfLiteral(text: string): string {
  const escaped = text.replace(/[\\"]/g, (c) => `\\${c}`).replace(
    // deno-lint-ignore no-control-regex -- control characters are what must be escaped
    /[\x00-\x1F\x7F]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`,
  );
  return `"${escaped}"`;
}

/** Collects named rules into one grammar; names are made unique and GBNF-safe. */
export class GrammarBuilder {
  readonly #rules = new Map<string, string | undefined>([["root", undefined]]);

  /**
   * Reserves a rule name derived from `hint` (letters, digits and `-` only, as
   * llama.cpp's parser allows), to be defined later; lets recursive rules refer to
   * themselves.
   */
  reserve(hint: string): string {
    const base = hint.replace(/[^a-zA-Z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "rule";
    let name = base;
    for (let i = 2; this.#rules.has(name) || name in JSON_RULES; i++) name = `${base}-${i}`;
    this.#rules.set(name, undefined);
    return name;
  }

  /** Defines a reserved rule. */
  define(name: string, body: string): string {
    this.#rules.set(name, body);
    return name;
  }

  /** Adds `hint ::= body` under a fresh name; returns the name. */
  add(hint: string, body: string): string {
    return this.define(this.reserve(hint), body);
  }

  /** Adds a generic JSON rule and those it uses; returns its name. */
  json(name: JsonRule): JsonRule {
    if (this.#rules.has(name)) return name;
    const rule = JSON_RULES[name];
    this.#rules.set(name, rule.body);
    for (const used of rule.uses) this.json(used as JsonRule);
    return name;
  }

  /**
   * The grammar text, starting with `root ::= rootBody`.
   *
   * @throws {Error} if a reserved rule was never defined (a bug of the caller).
   */
  build(rootBody: string): string {
    const lines = [`root ::= ${rootBody}`];
    for (const [name, body] of this.#rules) {
      if (name === "root") continue;
      if (body === undefined) {
        throw new Error(`Grammar rule "${name}" was reserved but not defined`);
      }
      lines.push(`${name} ::= ${body}`);
    }
    return lines.join("\n") + "\n";
  }
}

/** The grammar of any JSON object, for `response_format: {type: "json_object"}`. */
export function jsonObjectGrammar(): string {
  const builder = new GrammarBuilder();
  return builder.build(builder.json("json-object"));
}
