/**
 * Measures a LoRA switch: `ctx.setLoras()` between two adapter sets (a Worker round
 * trip, `llama_set_adapters_lora`, the KV cache emptied), against setting the same set
 * again (a round trip that changes nothing), and the first short generation after a
 * switch (llama.cpp reserves its compute graph again then) against one without.
 * Interleaved, in one run: `deno run -A bench/lora_switch.ts [rounds]`.
 *
 * @module
 */
import { loadModel } from "../engine/model.ts";
import { STORIES_260K, STORIES_260K_LORA_RANDOM, STORIES_260K_LORA_ZERO } from "../tests/models.ts";

const rounds = Number(Deno.args[0] ?? 200);
using model = await loadModel(STORIES_260K);
using ctx = await model.createContext({ nCtx: 256, nThreads: 2 });
const zero = await model.loadLora(STORIES_260K_LORA_ZERO);
const random = await model.loadLora(STORIES_260K_LORA_RANDOM);
const sets = [[{ adapter: zero, scale: 1 }], [{ adapter: random, scale: 1 }]];
const gen = () => ctx.generate("Once upon a time", { temperature: 0, maxTokens: 4 }).result;

const time = async (fn: () => Promise<unknown>) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};
const switchMs: number[] = [];
const sameMs: number[] = [];
const genAfterSwitchMs: number[] = [];
const genSameMs: number[] = [];
await ctx.setLoras(sets[0]);
await gen();
for (let i = 0; i < rounds; i++) {
  switchMs.push(await time(() => ctx.setLoras(sets[(i + 1) % 2])));
  genAfterSwitchMs.push(await time(gen));
  sameMs.push(await time(() => ctx.setLoras(sets[(i + 1) % 2])));
  await ctx.clearSequence(); // the same prompt work as after a switch
  genSameMs.push(await time(gen));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
const row = (name: string, xs: number[]) =>
  `| ${name} | ${median(xs).toFixed(3)} | ${p90(xs).toFixed(3)} |`;
console.log(`rounds: ${rounds}\n\n| step | median ms | p90 ms |\n| --- | ---: | ---: |`);
console.log(row("setLoras(): switch between two sets", switchMs));
console.log(row("setLoras(): the same set again (round trip only)", sameMs));
console.log(row("generate 4 tokens after a switch", genAfterSwitchMs));
console.log(row("generate 4 tokens, same set, cache cleared", genSameMs));
console.log(
  `\nswitch cost: ${(median(switchMs) - median(sameMs)).toFixed(3)} ms in setLoras, ` +
    `${(median(genAfterSwitchMs) - median(genSameMs)).toFixed(3)} ms in the next generation`,
);
