import { assertThrows } from "../tests/assert.ts";
import { GrammarError } from "./errors.ts";
import { checkGrammar, MAX_GRAMMAR_ELEMENTS, MAX_GRAMMAR_NESTING } from "./grammar_check.ts";

// What llama.cpp's llama_sampler_init_grammar (pinned build) did with each grammar was
// checked by hand against this module: every accepted one made a sampler, every refused
// one returned NULL ("failed to parse grammar", "left recursion detected", ...).

Deno.test("checkGrammar() accepts what llama.cpp's grammar parser accepts", () => {
  const grammars = [
    'root ::= "yes" | "no"',
    "root ::= [a-z]+ # a comment\n",
    'root ::= (\n "a"\n |\n "b" )',
    'root ::= [^"\\\\]* "\\u00e9" "\\x41"',
    'root ::= "a"{0,5000}', // a bound over 2000 is read as none
    'root ::= ("a" "b"){1999} "a"{2}{3} "a" {1, 2 }',
    'root ::= a? "x"\na ::= "y"',
    'root ::= b root\nb ::= "z"?', // b is not syntactically empty
    "root ::= <[12]> []",
    '  root ::= "x" | \n "y"',
  ];
  for (const grammar of grammars) checkGrammar(grammar);
  checkGrammar('start ::= "x"', "start");
});

Deno.test("checkGrammar() gives the reason llama.cpp only prints to stderr", () => {
  const cases: [string, string][] = [
    ["root ::= x\n", "Undefined rule identifier 'x'"],
    ['root ::= "a"\n\nfoo ::= bar', "Undefined rule identifier 'bar'"],
    ['root ::= "\\q"', "Expecting a known escape"],
    ['root ::= "abc', "Unexpected end of input"],
    ['root ::= "\\x4"', "Expecting 2 hex chars"],
    ['root :: "a"', "Expecting ::= at offset 5"],
    ['root ::= * "a"', "Expecting preceding item to */+/?/{"],
    ["root ::= []*", "Expecting preceding item"],
    ['root ::= "a" ) "b"', "Expecting newline or end"],
    ['root ::= .+ "x"{,3}', "Expecting an int"],
    ['other ::= "a"', "Grammar does not contain a 'root' symbol"],
    ['root ::= "a"{2001}', "Number of repetitions exceeds sane defaults"],
    ['root ::= ("a"{0,40}){0,60}', "multiplied by the new repetition"],
  ];
  for (const [grammar, reason] of cases) {
    assertThrows(() => checkGrammar(grammar), GrammarError, reason);
  }
});

Deno.test("checkGrammar() refuses left recursion, also through rules that may be empty", () => {
  const cases = [
    "root ::= root",
    "root ::= a\na ::= root",
    'root ::= a "x"\na ::= "" | root',
    'root ::= e e root\ne ::= | "q"',
    'root ::= "x" | a\na ::= b\nb ::= "y" | a',
  ];
  for (const grammar of cases) {
    assertThrows(() => checkGrammar(grammar), GrammarError, "left recursion detected");
  }
});

Deno.test("checkGrammar() refuses grammars over the size limits before llama.cpp sees them", () => {
  const literal = `"${"a".repeat(1000)}"`;
  assertThrows(
    () => checkGrammar(`root ::= ${literal}{1500} ${literal}{1500}`),
    GrammarError,
    `over ${MAX_GRAMMAR_ELEMENTS} elements`,
  );
  // Each level doubles llama.cpp's visits: 2^26 of them took seconds natively.
  const fan = Array.from({ length: 25 }, (_, i) => `r${i} ::= r${i + 1} | r${i + 1}`);
  assertThrows(
    () => checkGrammar(`root ::= r0\n${fan.join("\n")}\nr25 ::= "x"`),
    GrammarError,
    "rule visits",
  );
  // A chain of 200,000 leftmost references overflowed the native stack and aborted.
  const n = MAX_GRAMMAR_NESTING + 1;
  const chain = Array.from({ length: n }, (_, i) => `r${i} ::= r${i + 1}`);
  assertThrows(
    () => checkGrammar(`root ::= r0\n${chain.join("\n")}\nr${n} ::= "x"`),
    GrammarError,
    "leftmost rule references",
  );
  assertThrows(
    () => checkGrammar(`root ::= ${"(".repeat(100_000)}"x"${")".repeat(100_000)}`),
    GrammarError,
    "parentheses nest",
  );
});
