/**
 * Checks a GBNF grammar in TypeScript the way llama.cpp's `llama_sampler_init_grammar`
 * would take it (src/llama-grammar.cpp: `llama_grammar_parser::parse`, then the left
 * recursion check of `llama_grammar_init_impl`), before the text reaches the engine
 * Worker. llama.cpp only logs "failed to parse grammar" and returns NULL, prints the real
 * reason to stderr, and its left recursion check recurses without memo: a grammar whose
 * leftmost references fan out takes exponential time there, and a long chain of them
 * exhausts the native stack. Here every such grammar is refused with its reason.
 *
 * @module
 */
import { GrammarError } from "./errors.ts";
import {
  ALT,
  checkLeftRecursion,
  END,
  MAX_LEFT_REFERENCE_VISITS,
  REF,
  type Rule,
  TERMINAL,
} from "./_grammar_left_recursion.ts";

export { MAX_LEFT_REFERENCE_VISITS };

/**
 * Most grammar elements (characters, rule references, alternation marks) after
 * repetitions are expanded, as llama.cpp stores them (8 bytes each). A JSON schema's
 * grammar needs a few thousand; 2^20 elements is 8 MiB in the Worker and keeps
 * llama.cpp's per-grammar set-up, linear in this count, within milliseconds.
 */
export const MAX_GRAMMAR_ELEMENTS = 1 << 20;

/** llama.cpp's `MAX_REPETITION_THRESHOLD`: the most times a `{m,n}` repeats an item. */
export const MAX_GRAMMAR_REPETITIONS = 2000;

/**
 * Longest chain of leftmost rule references, and deepest nesting of parentheses: llama.cpp
 * follows both by native recursion on the Worker's stack (a chain of 200,000 references
 * aborted the process with a stack overflow here; 1,000 took 4 ms).
 */
export const MAX_GRAMMAR_NESTING = 1024;

/**
 * Checks `grammar` as llama.cpp's grammar sampler would.
 *
 * @param grammar GBNF text (llama.cpp grammars/README.md).
 * @param root The start rule's name. Default `"root"`.
 * @throws {GrammarError} If the text does not parse (the reason and where), a rule is
 * used but not defined, `root` is missing, a rule is left-recursive, or the grammar is
 * over {@link MAX_GRAMMAR_ELEMENTS}, {@link MAX_LEFT_REFERENCE_VISITS} or
 * {@link MAX_GRAMMAR_NESTING}.
 * @example
 * ```ts
 * import { checkGrammar } from "./grammar_check.ts";
 * checkGrammar('root ::= "yes" | "no"');
 * ```
 */
export function checkGrammar(grammar: string, root = "root"): void {
  const parser = new Parser(grammar);
  parser.parse();
  const rootId = parser.symbols.get(root);
  if (rootId === undefined) throw new GrammarError(`Grammar does not contain a '${root}' symbol`);
  checkLeftRecursion(parser.rules, parser.names(), MAX_GRAMMAR_NESTING);
}

class Parser {
  readonly symbols = new Map<string, number>();
  readonly rules: Rule[] = [];
  #elements = 0;
  #pos = 0;
  #nesting = 0;

  constructor(readonly src: string) {}

  names(): string[] {
    const names: string[] = [];
    for (const [name, id] of this.symbols) names[id] = name;
    return names;
  }

  parse(): void {
    this.#space(true);
    while (this.#pos < this.src.length) this.#rule();
    this.rules.length = Math.max(this.rules.length, this.symbols.size);
    for (const [name, id] of this.symbols) {
      if (this.rules[id] === undefined) {
        throw new GrammarError(`Undefined rule identifier '${name}'`);
      }
    }
  }

  #at(offset = 0): string {
    return this.src[this.#pos + offset] ?? "";
  }

  #fail(expected: string): never {
    const near = this.src.slice(this.#pos, this.#pos + 40).split("\n")[0];
    throw new GrammarError(`Expecting ${expected} at offset ${this.#pos}: '${near}'`);
  }

  #id(name: string): number {
    let id = this.symbols.get(name);
    if (id === undefined) this.symbols.set(name, id = this.symbols.size);
    return id;
  }

  #generated(base: string): number {
    const id = this.symbols.size;
    this.symbols.set(`${base}_${id}`, id);
    return id;
  }

  #add(id: number, rule: Rule): void {
    this.rules[id] = rule;
  }

  /** Counts `n` more elements, refusing a grammar over the limit before it is built. */
  #grow(n: number): void {
    this.#elements += n;
    if (this.#elements > MAX_GRAMMAR_ELEMENTS) {
      throw new GrammarError(
        `Grammar is too large: over ${MAX_GRAMMAR_ELEMENTS} elements once repetitions are expanded; ` +
          "use fewer or smaller repetitions",
      );
    }
  }

  #space(newlineOk: boolean): void {
    for (;;) {
      const c = this.#at();
      if (c === "#") {
        while (this.#pos < this.src.length && !"\r\n".includes(this.#at())) this.#pos++;
      } else if (c === " " || c === "\t" || (newlineOk && (c === "\r" || c === "\n"))) {
        this.#pos++;
      } else return;
    }
  }

  #name(): string {
    const start = this.#pos;
    while (isWordChar(this.#at())) this.#pos++;
    if (this.#pos === start) this.#fail("name");
    return this.src.slice(start, this.#pos);
  }

  #int(): number {
    const start = this.#pos;
    while (isDigit(this.#at())) this.#pos++;
    if (this.#pos === start) this.#fail("integer");
    return Number(this.src.slice(start, this.#pos));
  }

  #char(): void {
    if (this.#at() === "\\") {
      const hex = { x: 2, u: 4, U: 8 }[this.#at(1)];
      if (hex !== undefined) {
        this.#pos += 2;
        for (let i = 0; i < hex; i++, this.#pos++) {
          if (!/[0-9a-fA-F]/.test(this.#at())) this.#fail(`${hex} hex chars`);
        }
      } else if ('trn\\"[]-'.includes(this.#at(1)) && this.#at(1) !== "") this.#pos += 2;
      else this.#fail('a known escape (\\x, \\u, \\U, \\t, \\r, \\n, \\\\, \\", \\[, \\], \\-)');
    } else if (this.#pos < this.src.length) {
      this.#pos += this.src.codePointAt(this.#pos)! > 0xffff ? 2 : 1;
    } else throw new GrammarError("Unexpected end of input");
  }

  #rule(): void {
    const name = this.#name();
    const id = this.#id(name);
    this.#space(false);
    if (this.src.slice(this.#pos, this.#pos + 3) !== "::=") this.#fail("::=");
    this.#pos += 3;
    this.#space(true);
    this.#alternates(name, id, false);
    if (this.#at() === "\r") this.#pos += this.#at(1) === "\n" ? 2 : 1;
    else if (this.#at() === "\n") this.#pos++;
    else if (this.#pos < this.src.length) this.#fail("newline or end");
    this.#space(true);
  }

  #alternates(name: string, id: number, nested: boolean): void {
    const rule: Rule = [];
    this.#sequence(name, rule, nested);
    while (this.#at() === "|") {
      rule.push(ALT, 0);
      this.#grow(1);
      this.#pos++;
      this.#space(true);
      this.#sequence(name, rule, nested);
    }
    rule.push(END, 0);
    this.#grow(1);
    this.#add(id, rule);
  }

  #sequence(name: string, rule: Rule, nested: boolean): void {
    let lastStart = rule.length;
    let prevRules = 1;
    const symbol = (kind: number, value: number) => {
      lastStart = rule.length;
      prevRules = 1;
      rule.push(kind, value);
      this.#grow(1);
    };
    for (;;) {
      const c = this.#at();
      if (c === '"' || c === "[") {
        const close = c === '"' ? '"' : "]";
        this.#pos++;
        if (c === "[" && this.#at() === "^") this.#pos++;
        lastStart = rule.length;
        prevRules = 1;
        while (this.#at() !== close) {
          if (this.#pos >= this.src.length) throw new GrammarError("Unexpected end of input");
          this.#char();
          rule.push(TERMINAL, 0);
          this.#grow(1);
          if (c === "[" && this.#at() === "-" && this.#at(1) !== "]") {
            if (this.#at(1) === "") throw new GrammarError("Unexpected end of input");
            this.#pos++;
            this.#char();
          }
        }
        this.#pos++;
        this.#space(nested);
      } else if (c === "<" || c === "!") {
        if (c === "!") this.#pos++;
        this.#token();
        symbol(TERMINAL, 0);
        this.#space(nested);
      } else if (isWordChar(c)) {
        const ref = this.#id(this.#name());
        this.#space(nested);
        symbol(REF, ref);
      } else if (c === "(") {
        this.#pos++;
        this.#space(true);
        if (++this.#nesting > MAX_GRAMMAR_NESTING) {
          throw new GrammarError(
            `Grammar is too deep: parentheses nest over ${MAX_GRAMMAR_NESTING} levels`,
          );
        }
        const before = this.symbols.size;
        const sub = this.#generated(name);
        this.#alternates(name, sub, true);
        this.#nesting--;
        symbol(REF, sub);
        prevRules = Math.max(1, this.symbols.size - before);
        if (this.#at() !== ")") this.#fail("')'");
        this.#pos++;
        this.#space(nested);
      } else if (c === ".") {
        this.#pos++;
        symbol(TERMINAL, 0);
        this.#space(nested);
      } else if (c === "*" || c === "+" || c === "?") {
        this.#pos++;
        this.#space(nested);
        const [min, max] = c === "*" ? [0, Infinity] : c === "+" ? [1, Infinity] : [0, 1];
        prevRules = this.#repeat(name, rule, lastStart, prevRules, min, max);
      } else if (c === "{") {
        this.#pos++;
        this.#space(nested);
        if (!isDigit(this.#at())) this.#fail("an int");
        const min = this.#int();
        this.#space(nested);
        let max = min;
        if (this.#at() === ",") {
          this.#pos++;
          this.#space(nested);
          max = isDigit(this.#at()) ? this.#int() : Infinity;
          this.#space(nested);
          if (this.#at() !== "}") this.#fail("'}'");
        } else if (this.#at() !== "}") this.#fail("','");
        this.#pos++;
        this.#space(nested);
        if (min > MAX_GRAMMAR_REPETITIONS) {
          throw new GrammarError(
            `Number of repetitions exceeds sane defaults (${min} > ${MAX_GRAMMAR_REPETITIONS}), please reduce the number of repetitions`,
          );
        }
        // llama.cpp reads a larger bound as no bound.
        if (max > MAX_GRAMMAR_REPETITIONS) max = Infinity;
        prevRules = this.#repeat(name, rule, lastStart, prevRules, min, max);
      } else return;
    }
  }

  /** llama.cpp's `handle_repetitions`; returns the new count of repeated rules. */
  #repeat(
    name: string,
    rule: Rule,
    lastStart: number,
    prevRules: number,
    min: number,
    max: number,
  ): number {
    if (lastStart === rule.length) this.#fail("preceding item to */+/?/{");
    const prev = rule.slice(lastStart);
    const total = max !== Infinity && max > 0 ? max : min > 0 ? min : 1;
    if (prevRules * total >= MAX_GRAMMAR_REPETITIONS) {
      throw new GrammarError(
        "Number of rules that are going to be repeated multiplied by the new repetition exceeds " +
          `sane defaults (${MAX_GRAMMAR_REPETITIONS}), please reduce the number of repetitions or rule complexity`,
      );
    }
    if (min === 0) rule.length = lastStart;
    else {
      for (let i = 1; i < min; i++) {
        this.#grow(prev.length / 2);
        for (const value of prev) rule.push(value);
      }
    }
    const nOpt = max === Infinity ? 1 : max - min;
    let last = 0;
    for (let i = 0; i < nOpt; i++) {
      const id = this.#generated(name);
      this.#grow(prev.length / 2 + 3);
      const rec = [...prev];
      if (i > 0 || max === Infinity) rec.push(REF, max === Infinity ? id : last);
      rec.push(ALT, 0, END, 0);
      this.#add(id, rec);
      last = id;
    }
    if (nOpt > 0) {
      rule.push(REF, last);
      this.#grow(1);
    }
    return prevRules * total;
  }

  /** `<[id]>` or `<text>` (the text's single-token check needs the vocabulary: skipped). */
  #token(): void {
    if (this.#at() !== "<") this.#fail("'<'");
    this.#pos++;
    if (this.#at() === "[") {
      this.#pos++;
      this.#int();
      if (this.#at() !== "]") this.#fail("']'");
      this.#pos++;
    } else {
      while (this.#pos < this.src.length && this.#at() !== ">") this.#pos++;
    }
    if (this.#at() !== ">") this.#fail("'>'");
    this.#pos++;
  }
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9" && c.length === 1;
}

function isWordChar(c: string): boolean {
  return c.length === 1 && /[a-zA-Z0-9-]/.test(c);
}
