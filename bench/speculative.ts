/**
 * Speculative decoding's tg speed: greedy `generate()` of the same prompt on a context
 * without a draft and on contexts with each draft, one run of each in turn per
 * repetition (so machine load hits all alike), with the drafts' acceptance. Used by
 * `deno task bench -m MODEL -md DRAFT`; run alone it measures the fixtures
 * (stories260K with its 4- and 2-layer cuts and itself; synthetic-135m with itself):
 * `deno run -A bench/speculative.ts [repetitions] [n_gen] [threads]`.
 *
 * @module
 */
import { loadModel, type Model } from "../engine/model.ts";
import {
  DEFAULT_DRAFT_MAX,
  DEFAULT_DRAFT_MIN,
  DEFAULT_DRAFT_P_MIN,
} from "../engine/speculative.ts";

/** What to measure: the target, its drafts and the limits the drafts run with. */
export interface SpeculativeBench {
  /** The target model. */
  target: Model;
  /** Draft models on the target's engine, measured one by one against no draft. */
  drafts: Model[];
  /** Tokens to generate per run (greedy; a run may stop earlier at EOS). */
  nGen: number;
  /** Runs of each. */
  repetitions: number;
  /** CPU threads of every context. */
  nThreads: number;
  /** Draft limits; defaults llama.cpp's (engine/speculative.ts). */
  nMax?: number;
  nMin?: number;
  pMin?: number;
  /** The prompt. Default "Once upon a time". */
  prompt?: string;
}

/** One row: a draft (or none) and its figures over all repetitions. */
export interface SpeculativeRow {
  /** The draft file, or "none". */
  draft: string;
  /** Median generation speed, tokens per second after the first (GenerationMetrics.genTokPerSec). */
  tgTokPerSec: number;
  /** tgTokPerSec / the no-draft row's. */
  ratio: number;
  /** Tokens generated per run (the last run's). */
  generated: number;
  /** Drafted and accepted tokens, summed over the runs. */
  drafted: number;
  accepted: number;
  /** Whether every run's text equalled the no-draft run's. */
  sameText: boolean;
}

/** Runs the comparison; the first row is the target alone. */
export async function measureSpeculative(bench: SpeculativeBench): Promise<SpeculativeRow[]> {
  const { target, drafts, nGen, repetitions, nThreads } = bench;
  const prompt = bench.prompt ?? "Once upon a time";
  const nCtx = Math.ceil((nGen + 64) / 256) * 256;
  const limits = {
    nMax: bench.nMax ?? DEFAULT_DRAFT_MAX,
    nMin: bench.nMin ?? DEFAULT_DRAFT_MIN,
    pMin: bench.pMin ?? DEFAULT_DRAFT_P_MIN,
  };
  const contexts = [await target.createContext({ nCtx, nThreads })];
  try {
    for (const model of drafts) {
      contexts.push(await target.createContext({ nCtx, nThreads, draft: { model, ...limits } }));
    }
    const speeds = contexts.map(() => [] as number[]);
    const rows: SpeculativeRow[] = contexts.map((_, i) => ({
      draft: i === 0 ? "none" : drafts[i - 1].info.path.split(/[\\/]/).pop()!,
      tgTokPerSec: 0,
      ratio: 0,
      generated: 0,
      drafted: 0,
      accepted: 0,
      sameText: true,
    }));
    const run = (i: number) =>
      contexts[i].generate(prompt, { temperature: 0, maxTokens: nGen }).result;
    await run(0); // warm-up
    for (let r = 0; r < repetitions; r++) {
      let reference = "";
      for (let i = 0; i < contexts.length; i++) {
        await contexts[i].clearSequence();
        const { text, metrics } = await run(i);
        if (i === 0) reference = text;
        speeds[i].push(metrics.genTokPerSec);
        rows[i].generated = metrics.generatedTokens;
        rows[i].drafted += metrics.draftTokens ?? 0;
        rows[i].accepted += metrics.draftAcceptedTokens ?? 0;
        rows[i].sameText &&= text === reference;
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    rows.forEach((row, i) => row.tgTokPerSec = median(speeds[i]));
    rows.forEach((row) => row.ratio = row.tgTokPerSec / rows[0].tgTokPerSec);
    return rows;
  } finally {
    for (const ctx of contexts) ctx.dispose();
  }
}

/** The rows as a markdown table. */
export function formatSpeculative(rows: readonly SpeculativeRow[], model: string): string {
  const lines = [
    `| model | draft | tg tok/s | ratio | tokens | drafted | accepted | acceptance | same text |`,
    `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |`,
  ];
  for (const r of rows) {
    const rate = r.drafted > 0 ? `${(100 * r.accepted / r.drafted).toFixed(1)} %` : "–";
    lines.push(
      `| ${model} | ${r.draft} | ${r.tgTokPerSec.toFixed(1)} | ${
        r.ratio.toFixed(2)
      } | ${r.generated} | ` +
        `${r.drafted} | ${r.accepted} | ${rate} | ${r.sameText ? "yes" : "no"} |`,
    );
  }
  return lines.join("\n") + "\n";
}

if (import.meta.main) {
  const { STORIES_260K, STORIES_260K_DRAFT2, STORIES_260K_DRAFT4, SYNTHETIC_135M } = await import(
    "../tests/models.ts"
  );
  const repetitions = Number(Deno.args[0] ?? 5);
  const nGen = Number(Deno.args[1] ?? 128);
  const nThreads = Number(Deno.args[2] ?? 1);
  console.log(`repetitions ${repetitions}, n_gen ${nGen}, threads ${nThreads}, greedy\n`);
  {
    using target = await loadModel(STORIES_260K);
    const engine = target.engine;
    using draft4 = await loadModel(STORIES_260K_DRAFT4, { engine });
    using draft2 = await loadModel(STORIES_260K_DRAFT2, { engine });
    using itself = await loadModel(STORIES_260K, { engine });
    for (const pMin of [DEFAULT_DRAFT_P_MIN, 0]) {
      const rows = await measureSpeculative({
        target,
        drafts: [draft4, draft2, itself],
        nGen,
        repetitions,
        nThreads,
        pMin,
      });
      console.log(
        `stories260K, --draft-p-min ${pMin}\n\n${formatSpeculative(rows, "stories260K")}`,
      );
    }
  }
  {
    using target = await loadModel(SYNTHETIC_135M);
    using itself = await loadModel(SYNTHETIC_135M, { engine: target.engine });
    const rows = await measureSpeculative({
      target,
      drafts: [itself],
      nGen: Math.min(nGen, 64),
      repetitions: Math.min(repetitions, 3),
      nThreads,
      pMin: 0,
    });
    console.log(
      `synthetic-135m, itself as draft, --draft-p-min 0\n\n${
        formatSpeculative(rows, "synthetic-135m")
      }`,
    );
  }
}
