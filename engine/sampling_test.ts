import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { GrammarError } from "./errors.ts";
import {
  LLAMA_DEFAULT_SEED,
  resolveSampling,
  samplerChain,
  SAMPLING_OPTION_KEYS,
  type SamplingOptions,
} from "./sampling.ts";

const N_VOCAB = 32000;

/** Resolves options given as an untyped bag, the way JSON from a client arrives. */
function resolveLoose(options: Record<string, unknown>) {
  return resolveSampling(options as SamplingOptions, N_VOCAB);
}

Deno.test("resolveSampling() fills in common_params_sampling defaults", () => {
  const { seed, ...rest } = resolveSampling(undefined, N_VOCAB);
  deepStrictEqual(rest, {
    temperature: 0.8,
    topK: 40,
    topP: 0.95,
    minP: 0.05,
    typicalP: 1,
    repeatPenalty: 1,
    frequencyPenalty: 0,
    presencePenalty: 0,
    penaltyLastN: 64,
    mirostat: 0,
    mirostatTau: 5,
    mirostatEta: 0.1,
    logitBias: [],
    grammar: "",
    grammarRoot: "root",
  });
  ok(Number.isInteger(seed) && seed >= 0 && seed < LLAMA_DEFAULT_SEED, `seed ${seed}`);
  deepStrictEqual(resolveSampling({ topP: undefined }, N_VOCAB).topP, 0.95);
});

Deno.test("resolveSampling() draws a concrete random seed unless one is given", () => {
  const seeds = new Set<number>();
  for (let i = 0; i < 4; i++) {
    const { seed } = resolveSampling({ seed: LLAMA_DEFAULT_SEED }, N_VOCAB);
    ok(Number.isInteger(seed) && seed >= 0 && seed < LLAMA_DEFAULT_SEED, `seed ${seed}`);
    seeds.add(seed);
  }
  ok(seeds.size > 1, "four random seeds were all equal");
  strictEqual(resolveSampling({ seed: 0 }, N_VOCAB).seed, 0);
  strictEqual(resolveSampling({ seed: 0xFFFFFFFE }, N_VOCAB).seed, 0xFFFFFFFE);
});

Deno.test("resolveSampling() names the option in every range error", () => {
  const cases: [string, unknown, RegExp][] = [
    ["temperature", -1, /^temperature must be a finite number >= 0, got -1$/],
    ["temperature", Infinity, /^temperature .* got Infinity$/],
    ["temperature", NaN, /^temperature .* got NaN$/],
    ["topK", -1, /^topK must be an integer/],
    ["topK", 1.5, /^topK must be an integer .* got 1\.5$/],
    ["topP", 0, /^topP must be a number in \(0, 1\], got 0$/],
    ["topP", 1.01, /^topP /],
    ["minP", -0.1, /^minP must be a number in \[0, 1\]/],
    ["typicalP", 0, /^typicalP /],
    ["repeatPenalty", 0, /^repeatPenalty must be a finite number > 0/],
    ["frequencyPenalty", 2.5, /^frequencyPenalty must be a number in \[-2, 2\]/],
    ["presencePenalty", -3, /^presencePenalty /],
    ["penaltyLastN", -2, /^penaltyLastN must be an integer in \[-1, /],
    ["penaltyLastN", 0.5, /^penaltyLastN /],
    ["seed", -1, /^seed must be an integer in \[0, 4294967295\], got -1$/],
    ["seed", 2 ** 32, /^seed /],
    ["seed", 1.5, /^seed /],
    ["grammarRoot", "", /^grammarRoot must not be empty/],
    ["grammar", 'root ::= "a"\0', /^grammar must not contain a NUL/],
  ];
  for (const [key, value, message] of cases) {
    throws(() => resolveLoose({ [key]: value }), { name: "RangeError", message }, key);
  }
});

Deno.test("resolveSampling() rejects wrong types with a TypeError naming the option", () => {
  throws(() => resolveLoose({ topP: "0.9" }), {
    name: "TypeError",
    message: 'topP must be a number, got "0.9"',
  });
  throws(() => resolveLoose({ seed: 1n }), { name: "TypeError", message: /^seed .* got bigint$/ });
  throws(() => resolveLoose({ grammar: 1 }), { name: "TypeError", message: /^grammar / });
  throws(() => resolveLoose({ logitBias: 5 }), { name: "TypeError", message: /^logitBias / });
  throws(() => resolveSampling(null as unknown as SamplingOptions, N_VOCAB), {
    name: "TypeError",
    message: "Sampling options must be an object, got null",
  });
});

Deno.test("resolveSampling() rejects unknown keys and suggests the right one", () => {
  throws(() => resolveLoose({ top_p: 0.9 }), {
    name: "TypeError",
    message: 'Unknown sampling option "top_p"; did you mean "topP"?',
  });
  throws(() => resolveLoose({ temp: 0.2 }), { message: /"temp"; did you mean "temperature"/ });
  throws(() => resolveLoose({ repeat_last_n: 64 }), { message: /did you mean "penaltyLastN"/ });
  throws(() => resolveLoose({ dry_multiplier: 0.8 }), {
    name: "TypeError",
    message: 'Unknown sampling option "dry_multiplier"',
  });
});

Deno.test("SAMPLING_OPTION_KEYS lists exactly the accepted keys", () => {
  const all = Object.fromEntries(SAMPLING_OPTION_KEYS.map((k) => [k, undefined]));
  resolveLoose(all);
  strictEqual(SAMPLING_OPTION_KEYS.length, 16);
});

Deno.test("resolveSampling() accepts logitBias as a record or as pairs", () => {
  const expected = [{ token: 2, bias: -Infinity }, { token: 15, bias: 1.5 }];
  deepStrictEqual(
    resolveSampling({ logitBias: { 2: -Infinity, 15: 1.5 } }, N_VOCAB).logitBias,
    expected,
  );
  deepStrictEqual(
    resolveSampling({ logitBias: [[2, -Infinity], [15, 1.5]] }, N_VOCAB).logitBias,
    expected,
  );
  deepStrictEqual(resolveSampling({ logitBias: [[7, 1], [7, 2]] }, N_VOCAB).logitBias, [
    { token: 7, bias: 1 },
    { token: 7, bias: 2 },
  ]);
});

Deno.test("resolveSampling() rejects bad logitBias token ids and biases", () => {
  const range = (logitBias: unknown, message: RegExp) =>
    throws(() => resolveLoose({ logitBias }), { name: "RangeError", message });
  range({ 32000: 1 }, /^logitBias token id must be an integer in \[0, 32000\), got 32000$/);
  range([[-1, 1]], /^logitBias token id .* got -1$/);
  range([[1.5, 1]], /^logitBias token id .* got 1\.5$/);
  range({ abc: 1 }, /^logitBias token id .* got "abc"$/);
  range({ "": 1 }, /^logitBias token id .* got ""$/);
  range([[3, NaN]], /^logitBias for token 3 must be finite or -Infinity, got NaN$/);
  range([[3, Infinity]], /^logitBias for token 3 /);
  throws(() => resolveLoose({ logitBias: [["3", 1]] }), {
    name: "TypeError",
    message: /^logitBias\[0\] token id must be a number, got "3"$/,
  });
  throws(() => resolveLoose({ logitBias: [[3]] }), {
    name: "TypeError",
    message: /^logitBias\[0\]/,
  });
  throws(() => resolveLoose({ logitBias: { 3: "x" } }), {
    name: "TypeError",
    message: /^logitBias for token 3 must be a number/,
  });
});

Deno.test("resolveSampling() checks nVocab", () => {
  throws(() => resolveSampling({}, 0), { name: "RangeError", message: /^nVocab / });
});

Deno.test("samplerChain() follows common_sampler_init order with every stage on", () => {
  const s = resolveSampling({
    logitBias: { 5: -Infinity },
    grammar: 'root ::= "yes" | "no"',
    grammarRoot: "root",
    repeatPenalty: 1.1,
    frequencyPenalty: 0.5,
    presencePenalty: 0.25,
    penaltyLastN: -1,
    typicalP: 0.9,
    seed: 42,
  }, N_VOCAB);
  deepStrictEqual(samplerChain(s), [
    { kind: "logit_bias", bias: [{ token: 5, bias: -Infinity }] },
    { kind: "grammar", grammar: 'root ::= "yes" | "no"', root: "root" },
    { kind: "penalties", lastN: -1, repeat: 1.1, frequency: 0.5, presence: 0.25 },
    { kind: "top_k", k: 40 },
    { kind: "typical", p: 0.9 },
    { kind: "top_p", p: 0.95 },
    { kind: "min_p", p: 0.05 },
    { kind: "temp", t: 0.8 },
    { kind: "dist", seed: 42 },
  ]);
});

Deno.test("samplerChain() leaves out stages that are off", () => {
  const s = resolveSampling({ seed: 7, topK: 0, topP: 1, minP: 0, temperature: 1 }, N_VOCAB);
  deepStrictEqual(samplerChain(s), [{ kind: "temp", t: 1 }, { kind: "dist", seed: 7 }]);
  const lastNOff = resolveSampling({ seed: 7, repeatPenalty: 1.3, penaltyLastN: 0 }, N_VOCAB);
  ok(!samplerChain(lastNOff).some((stage) => stage.kind === "penalties"));
  const presenceOnly = resolveSampling({ seed: 7, presencePenalty: 0.5 }, N_VOCAB);
  ok(samplerChain(presenceOnly).some((stage) => stage.kind === "penalties"));
});

Deno.test("samplerChain() ends in greedy at temperature 0", () => {
  const s = resolveSampling({
    temperature: 0,
    logitBias: [[9, 2]],
    grammar: 'root ::= "a"',
    repeatPenalty: 1.2,
  }, N_VOCAB);
  deepStrictEqual(samplerChain(s), [
    { kind: "logit_bias", bias: [{ token: 9, bias: 2 }] },
    { kind: "grammar", grammar: 'root ::= "a"', root: "root" },
    { kind: "penalties", lastN: 64, repeat: 1.2, frequency: 0, presence: 0 },
    { kind: "greedy" },
  ]);
  deepStrictEqual(samplerChain(resolveSampling({ temperature: 0 }, N_VOCAB)), [{ kind: "greedy" }]);
});

Deno.test("resolveSampling() refuses a grammar llama.cpp cannot take, before any FFI call", () => {
  throws(
    () => resolveSampling({ grammar: "root ::= a\na ::= root" }, 32000),
    (e: unknown) => e instanceof GrammarError && /left recursion/.test(e.message),
  );
  throws(
    () => resolveSampling({ grammar: 'root ::= "x"', grammarRoot: "start" }, 32000),
    (e: unknown) => e instanceof GrammarError && /'start' symbol/.test(e.message),
  );
  strictEqual(resolveSampling({ grammar: 'root ::= "x"' }, 32000).grammar, 'root ::= "x"');
});

Deno.test("samplerChain() with mirostat keeps bias and grammar, then temperature and mirostat", () => {
  const v2 = resolveSampling({
    mirostat: 2,
    mirostatTau: 3,
    logitBias: [[9, 2]],
    repeatPenalty: 1.2,
    topK: 10,
    seed: 11,
  }, N_VOCAB);
  deepStrictEqual(samplerChain(v2), [
    { kind: "logit_bias", bias: [{ token: 9, bias: 2 }] },
    { kind: "temp", t: 0.8 },
    { kind: "mirostat_v2", seed: 11, tau: 3, eta: 0.1 },
  ]);
  const v1 = resolveSampling({ mirostat: 1, mirostatEta: 0.2, seed: 3, temperature: 1 }, N_VOCAB);
  deepStrictEqual(samplerChain(v1), [
    { kind: "temp", t: 1 },
    { kind: "mirostat", seed: 3, tau: 5, eta: 0.2, m: 100 },
  ]);
  deepStrictEqual(samplerChain(resolveSampling({ mirostat: 2, temperature: 0 }, N_VOCAB)), [
    { kind: "greedy" },
  ]);
  throws(() => resolveSampling({ mirostat: 3 }, N_VOCAB), { name: "RangeError" });
  throws(() => resolveSampling({ mirostatTau: -1 }, N_VOCAB), { name: "RangeError" });
});
