/**
 * `deno task bench`: llama-bench's pp/tg tests on Hearth's engine, printed in
 * llama-bench's layouts (`-o md|json|jsonl|csv`). `--compare PATH_TO_LLAMA_BENCH`
 * runs llama-bench on the same model and settings, one repetition at a time
 * interleaved with Hearth's, and prints the ratio per test. In markdown output a last
 * line reports the streamed generation path: tok/s through `generate()` with sampling,
 * and the event-loop lag meanwhile. `-md DRAFT` measures speculative decoding instead:
 * greedy tg through `generate()` without and with the draft, interleaved, with the
 * draft's acceptance (bench/speculative.ts). A pp/tg run is saved in the app's database
 * (or `--db FILE`; `--no-db` skips it) for the desktop app's charts (bench/save_run.ts).
 *
 * @module
 */
import { BENCH_HELP, parseBenchArgs } from "./_args.ts";
import { loadModel, type Model } from "../engine/model.ts";
import { extractLoraFlags, loadLoraFlags, LORA_HELP } from "../config/lora_flags.ts";
import {
  type BatchedBenchRow,
  type BenchResult,
  compareBench,
  formatBatchedBench,
  formatBench,
  formatComparison,
  parseLlamaBenchJson,
} from "./report.ts";
import { type BenchSettings, benchTests, runBenchTest } from "./runner.ts";
import { measureStreaming } from "./streaming.ts";
import { benchHttp } from "./http.ts";
import { benchServers, formatServeBench } from "./serve_compare.ts";
import { parseBatchedBenchJsonl, runBatchedBench } from "./batched.ts";
import { formatSharedPrefixBench, runSharedPrefixBench } from "./shared_prefix.ts";
import type { EngineOptions } from "../engine/engine.ts";
import { reportError } from "../cli/errors.ts";
import { loadDraftFlags } from "../config/draft_flags.ts";
import { formatSpeculative, measureSpeculative } from "./speculative.ts";
import { benchRunOf, defaultBenchDatabase, saveBenchRun } from "./save_run.ts";

/**
 * Runs the bench command with its arguments (after `bench`); `defaults` carries the
 * engine settings from the environment. Returns the exit status.
 */
export async function benchCommand(
  args: string[],
  defaults: EngineOptions = {},
): Promise<number> {
  let model: Model | undefined;
  try {
    const { loras, rest } = extractLoraFlags(args);
    const values = parseBenchArgs(rest);
    if (!values) {
      console.log(`${BENCH_HELP}\n${LORA_HELP}`);
      return 0;
    }
    const format = values.output;
    const settings: BenchSettings = {
      modelFilename: values.model,
      nThreads: values.nThreads ?? navigator.hardwareConcurrency,
      nBatch: values.nBatch,
      nUbatch: values.nUbatch,
      nGpuLayers: values.nGpuLayers,
      flashAttn: values.flashAttn,
      repetitions: values.repetitions,
    };
    const tests = benchTests(values.nPrompt, values.nGen);
    const parallel = values.parallel;
    model = await loadModel(values.model, {
      ...defaults,
      libDir: values.libDir ?? defaults.libDir,
      variant: (values.variant ?? defaults.variant) as EngineOptions["variant"],
      rpc: values.rpc ?? defaults.rpc,
      nGpuLayers: settings.nGpuLayers,
    });
    settings.loras = await loadLoraFlags(model, loras);
    if (values.serveCompare) {
      model.dispose();
      const rows = await benchServers({
        model: values.model,
        llamaServer: values.serveCompare,
        parallel: parallel ?? [1, 4, 16],
        clients: values.clients,
        nGen: tests.find((t) => t.nGen > 0)?.nGen ?? 128,
        nThreads: settings.nThreads,
        repetitions: settings.repetitions,
        eos: model.info.eos,
        env: values.libDir ? { HEARTH_LIB_DIR: values.libDir } : undefined,
      });
      await Deno.stdout.write(new TextEncoder().encode(formatServeBench(rows)));
      return 0;
    }
    if (values.modelDraft !== undefined) {
      using draft = await loadDraftFlags(model, values);
      const rows = await measureSpeculative({
        target: model,
        drafts: [draft!.model],
        nGen: tests.find((t) => t.nGen > 0)?.nGen ?? 128,
        repetitions: settings.repetitions,
        nThreads: settings.nThreads,
        nMax: draft!.options.nMax,
        nMin: draft!.options.nMin,
        pMin: draft!.options.pMin,
      });
      const name = values.model.split(/[\\/]/).pop()!;
      await Deno.stdout.write(new TextEncoder().encode(formatSpeculative(rows, name)));
      return 0;
    }
    if (values.http) {
      const nGen = tests.find((t) => t.nGen > 0)?.nGen ?? 128;
      const r = await benchHttp(model, nGen, settings.repetitions);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const [engine, http] = [mean(r.engineTokPerSec), mean(r.httpTokPerSec)];
      const out = `| path | gen tok/s (mean of ${settings.repetitions}) |\n| --- | ---: |\n` +
        `| engine generate() | ${engine.toFixed(2)} |\n| HTTP SSE, one client | ${
          http.toFixed(2)
        } |\n` +
        `\nratio HTTP / engine: ${(http / engine).toFixed(3)}\n`;
      await Deno.stdout.write(new TextEncoder().encode(out));
      return 0;
    }
    if (values.sharedPrefix !== undefined) {
      const rows = await runSharedPrefixBench(model, {
        prefixTokens: values.sharedPrefix,
        rows: parallel?.[0] ?? 16,
        nGen: tests.find((t) => t.nGen > 0)?.nGen ?? 32,
        repetitions: settings.repetitions,
        nThreads: settings.nThreads,
        nBatch: settings.nBatch,
        nUbatch: settings.nUbatch,
      });
      await Deno.stdout.write(new TextEncoder().encode(formatSharedPrefixBench(rows)));
      return 0;
    }
    if (parallel) {
      const out = await batched(model, settings, parallel, tests, values.compare);
      await Deno.stdout.write(new TextEncoder().encode(out));
      return 0;
    }
    const ours: BenchResult[] = [];
    const theirs: BenchResult[] = [];
    for (const test of tests) {
      if (values.compare) {
        const [a, b] = await interleaved(model, test, settings, values.compare);
        ours.push(a);
        theirs.push(b);
      } else {
        ours.push(await runBenchTest(model, test, settings));
      }
    }
    let out = formatBench(ours, format);
    if (format === "md") {
      const nGen = tests.find((t) => t.nGen > 0)?.nGen ?? 128;
      const s = await measureStreaming(model, { nGen, nThreads: settings.nThreads });
      out +=
        `\nstreamed generate(): ${s.genTokPerSec.toFixed(2)} tok/s over ${s.generated} tokens, ` +
        `event-loop lag p50 ${s.lagP50Ms.toFixed(2)} ms, p99 ${s.lagP99Ms.toFixed(2)} ms, ` +
        `max ${s.lagMaxMs.toFixed(2)} ms\n`;
      if (values.compare) out += `\n${formatComparison(compareBench(ours, theirs))}`;
    }
    await Deno.stdout.write(new TextEncoder().encode(out));
    if (!values.noDb) {
      const path = values.db ?? defaultBenchDatabase();
      const saved = saveBenchRun(path, benchRunOf(ours, values));
      // stderr: stdout stays the chosen format (JSON, CSV) only.
      console.error(`bench run ${saved.id} saved in ${path}`);
    }
    return 0;
  } catch (error) {
    return reportError(error);
  } finally {
    model?.dispose();
  }
}

/** One repetition of ours, then one of llama-bench's, `repetitions` times. */
async function interleaved(
  model: Model,
  test: { nPrompt: number; nGen: number },
  settings: BenchSettings,
  llamaBench: string,
): Promise<[BenchResult, BenchResult]> {
  let ours: BenchResult | undefined;
  let theirs: BenchResult | undefined;
  for (let r = 0; r < settings.repetitions; r++) {
    const one = await runBenchTest(model, test, { ...settings, repetitions: 1 });
    ours = ours ? { ...ours, samplesNs: [...ours.samplesNs, ...one.samplesNs] } : one;
    const output = await new Deno.Command(llamaBench, {
      args: [
        ...["-m", settings.modelFilename, "-p", String(test.nPrompt), "-n", String(test.nGen)],
        ...["-r", "1", "-t", String(settings.nThreads), "-b", String(settings.nBatch)],
        ...["-ub", String(settings.nUbatch), "-ngl", String(settings.nGpuLayers)],
        ...["-fa", settings.flashAttn === "auto" ? "auto" : settings.flashAttn ? "1" : "0"],
        ...["-o", "json"],
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      const reason = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
      throw new Error(`llama-bench failed: ${reason}`);
    }
    const [result] = parseLlamaBenchJson(new TextDecoder().decode(output.stdout));
    theirs = theirs ? { ...theirs, samplesNs: [...theirs.samplesNs, ...result.samplesNs] } : result;
  }
  return [ours!, theirs!];
}

/** The --parallel mode: llama-batched-bench's rows, and ratios against it with --compare. */
async function batched(
  model: Model,
  settings: BenchSettings,
  parallel: number[],
  tests: { nPrompt: number; nGen: number }[],
  llamaBatchedBench: string | undefined,
): Promise<string> {
  const pp = tests.find((t) => t.nPrompt > 0)?.nPrompt ?? 128;
  const tg = tests.find((t) => t.nGen > 0)?.nGen ?? 64;
  const ours: BatchedBenchRow[] = [];
  const theirs: BatchedBenchRow[] = [];
  for (const pl of parallel) {
    const options = {
      pp,
      tg,
      parallel: [pl],
      nThreads: settings.nThreads,
      nBatch: settings.nBatch,
    };
    ours.push(...await runBatchedBench(model, options));
    if (!llamaBatchedBench) continue;
    const nCtx = pl * (Math.ceil((pp + tg + 1) / 256) * 256);
    const output = await new Deno.Command(llamaBatchedBench, {
      args: [
        ...["-m", settings.modelFilename, "-c", String(nCtx), "-b", String(settings.nBatch)],
        ...["-ub", String(settings.nUbatch), "-npp", String(pp), "-ntg", String(tg)],
        ...[
          "-npl",
          String(pl),
          "-t",
          String(settings.nThreads),
          "-ngl",
          String(settings.nGpuLayers),
        ],
        ...["--output-format", "jsonl"],
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      const reason = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
      throw new Error(`llama-batched-bench failed: ${reason}`);
    }
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    theirs.push(...parseBatchedBenchJsonl(text));
  }
  let out = formatBatchedBench(ours);
  if (llamaBatchedBench) {
    out += `\nllama-batched-bench:\n${formatBatchedBench(theirs)}\n`;
    // Continuous batching overlaps the phases (early requests generate while later
    // prompts decode), so S, all tokens over all the time, is the like-for-like figure.
    out += "|    B | S_TG ratio | S ratio |\n| ---: | ---------: | ------: |\n";
    for (const row of ours) {
      const other = theirs.find((t) => t.pl === row.pl);
      if (!other) continue;
      const ratio = (a: number, b: number, width: number) => (a / b).toFixed(3).padStart(width);
      out += `| ${String(row.pl).padStart(4)} | ${ratio(row.speedTg, other.speedTg, 10)} | ` +
        `${ratio(row.speed, other.speed, 7)} |\n`;
    }
  }
  return out;
}
