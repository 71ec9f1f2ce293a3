/**
 * llama-bench's two tests, run in the engine Worker on a context: pp (decode
 * n_prompt random tokens in n_batch chunks) and tg (decode n_gen tokens one at a
 * time), each repetition from an empty KV cache, after one warm-up, timed around the
 * decode calls only as llama-bench times them (tools/llama-bench/llama-bench.cpp:
 * test_prompt, test_gen). No sampling: like llama-bench, tg measures decoding.
 *
 * @module
 */
import type { NativeContext } from "./native_context.ts";

/** One benchmark request. */
export interface BenchJob {
  nPrompt: number;
  nGen: number;
  repetitions: number;
  warmup: boolean;
}

/** Wall time of each repetition, in nanoseconds. */
export interface BenchSamples {
  samplesNs: number[];
}

/** Runs one test (pp when nGen is 0, tg when nPrompt is 0, or both). */
export function runBench(ctx: NativeContext, job: BenchJob): BenchSamples {
  const nVocab = ctx.model.info.nVocab;
  const bos = ctx.model.info.addBos ? ctx.model.info.bos : -1;
  const random = () => Math.floor(Math.random() * nVocab);
  const { llama } = ctx.model.libs;
  const prompt = (n: number) => {
    ctx.setAbortable(true);
    for (let done = 0; done < n;) {
      const count = Math.min(n - done, ctx.info.nBatch);
      ctx.batch.clear();
      for (let i = 0; i < count; i++) {
        const token = done === 0 && i === 0 && bos >= 0 ? bos : random();
        ctx.batch.add(token, done + i, 0, i === count - 1);
      }
      ctx.decode();
      done += count;
    }
    llama.llama_synchronize(ctx.pointer);
  };
  const gen = (n: number) => {
    // As llama-bench: no abort callback in the timed token loop.
    ctx.setAbortable(false);
    let token = bos >= 0 ? bos : random();
    // llama-bench decodes llama_batch_get_one batches; positions follow the KV cache.
    for (let i = 0; i < n; i++) {
      ctx.decode(token);
      llama.llama_synchronize(ctx.pointer);
      token = random();
    }
  };
  if (job.warmup) {
    ctx.clear(false);
    if (job.nPrompt > 0) prompt(job.nPrompt);
    if (job.nGen > 0) gen(1);
  }
  const samplesNs: number[] = [];
  for (let r = 0; r < job.repetitions; r++) {
    ctx.clear(false);
    const start = performance.now();
    if (job.nPrompt > 0) prompt(job.nPrompt);
    if (job.nGen > 0) gen(job.nGen);
    samplesNs.push(Math.round((performance.now() - start) * 1e6));
  }
  ctx.clear(false);
  return { samplesNs };
}
