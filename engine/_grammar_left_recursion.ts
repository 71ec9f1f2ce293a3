/**
 * The left recursion check of engine/grammar_check.ts, and the element kinds its parser
 * records.
 *
 * @module
 */
import { GrammarError } from "./errors.ts";

// Element kinds, as llama.h's llama_gretype (only the ones the checks tell apart).
/** End of a rule. */
export const END = 0;
/** Start of another alternative. */
export const ALT = 1;
/** A reference to the rule whose id follows. */
export const REF = 2;
/** Anything that consumes input: a character, a character class, a token. */
export const TERMINAL = 3;
/** A rule's elements as pairs: kind, then value (a rule id for {@link REF}). */
export type Rule = number[];

/**
 * Most rule visits llama.cpp's left recursion check may make. It revisits a rule once
 * per path of leftmost references that leads to it, so `a ::= b | b`, `b ::= c | c`, ...
 * doubles per level: measured here, 24 such levels (2^25 visits) took 1.4 s in
 * `llama_sampler_init_grammar`, 20 levels under 0.1 s. Ordinary grammars need a few
 * hundred visits.
 */
export const MAX_LEFT_REFERENCE_VISITS = 1 << 20;

/**
 * llama.cpp's `llama_grammar_detect_left_recursion`, without its exponential revisits: a
 * rule "may be empty" when one of its alternatives is empty, and rule A leads to B when B
 * is referenced at the start of an alternative of A, or after references that may be
 * empty. A cycle of such edges is left recursion. Counts the visits llama.cpp would make.
 *
 * @throws {GrammarError} for left recursion, over {@link MAX_LEFT_REFERENCE_VISITS}
 * visits, or a chain of leftmost references longer than `maxDepth`.
 */
export function checkLeftRecursion(rules: Rule[], names: string[], maxDepth: number): void {
  const mayBeEmpty = rules.map((rule) => {
    for (let i = 0, atStart = true; i < rule.length; i += 2) {
      const end = rule[i] === END || rule[i] === ALT;
      if (end && atStart) return true;
      atStart = end;
    }
    return false;
  });
  const edges = rules.map((rule) => {
    const out: number[] = [];
    for (let i = 0, recurse = true; i < rule.length; i += 2) {
      if (rule[i] === REF && recurse) {
        out.push(rule[i + 1]);
        if (!mayBeEmpty[rule[i + 1]]) recurse = false;
      } else recurse = rule[i] === END || rule[i] === ALT;
    }
    return out;
  });
  // Iterative DFS: 0 new, 1 in progress, 2 done. visits[r] = 1 + sum of visits of edges.
  const state = new Uint8Array(rules.length);
  const visits = new Float64Array(rules.length);
  const depth = new Uint32Array(rules.length);
  let total = 0;
  for (let start = 0; start < rules.length; start++) {
    if (state[start] === 2) continue;
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [rule, next] = top;
      if (next < edges[rule].length) {
        top[1]++;
        const to = edges[rule][next];
        if (state[to] === 1) {
          throw new GrammarError(
            `Unsupported grammar: left recursion detected for nonterminal '${names[to]}'`,
          );
        }
        if (state[to] === 0) {
          state[to] = 1;
          stack.push([to, 0]);
        }
        continue;
      }
      stack.pop();
      state[rule] = 2;
      visits[rule] = 1 + edges[rule].reduce((sum, to) => sum + visits[to], 0);
      depth[rule] = 1 + edges[rule].reduce((most, to) => Math.max(most, depth[to]), 0);
      if (depth[rule] > maxDepth) {
        throw new GrammarError(
          `Grammar is too deep: rule '${
            names[rule]
          }' starts a chain of over ${maxDepth} leftmost rule references`,
        );
      }
    }
    // llama.cpp starts a check only at rules no earlier check finished.
    total += visits[start];
    if (total > MAX_LEFT_REFERENCE_VISITS) {
      throw new GrammarError(
        `Grammar is too complex: checking it for left recursion takes over ${MAX_LEFT_REFERENCE_VISITS} rule visits; ` +
          "use fewer alternatives that start with the same rules",
      );
    }
  }
}
