/**
 * `deno task bench`: llama-bench's pp/tg tests on Hearth's engine, printed in
 * llama-bench's layouts (`-o md|json|jsonl|csv`). `--compare PATH_TO_LLAMA_BENCH`
 * runs llama-bench on the same model and settings, one repetition at a time
 * interleaved with Hearth's, and prints the ratio per test. In markdown output a last
 * line reports the streamed generation path: tok/s through `generate()` with sampling,
 * and the event-loop lag meanwhile.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadModel, type Model } from "../engine/model.ts";
import { extractLoraFlags, loadLoraFlags, LORA_HELP } from "../config/lora_flags.ts";
import {
  type BatchedBenchRow,
  type BenchFormat,
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
import type { EngineOptions } from "../engine/engine.ts";
import { reportError } from "../cli/errors.ts";

const USAGE = `usage: deno task bench -m MODEL [options]
  -m, --model FILE          GGUF model
  -p, --n-prompt N[,N...]   prompt tokens per pp test (default 512)
  -n, --n-gen N[,N...]      generated tokens per tg test (default 128)
  -r, --repetitions N       timed repetitions per test (default 5)
  -t, --threads N           CPU threads (default: logical CPUs)
  -b, --batch-size N        n_batch (default 2048)
  -ub, --ubatch-size N      n_ubatch (default 512)
  -ngl, --n-gpu-layers N    layers on GPU (default 99)
  -fa, --flash-attn 0|1|auto  (default auto)
  -o, --output md|json|jsonl|csv  (default md)
  --compare LLAMA_BENCH     run llama-bench interleaved and print ratios
  --serve-compare LLAMA_SERVER  hearth serve against llama-server, both started here with
                            one argument list (-m, -c total KV, -np B, -t, -b, -ub): --parallel
                            B clients (default 1,4,16) stream -n tokens each, rounds alternating
  --http                    generation streamed over the OpenAI API to one client
                            against the engine's own generate()
  --parallel B[,B...]       llama-batched-bench's test through the scheduler: B requests
                            of -p prompt and -n generated tokens at once (--compare then
                            names llama-batched-bench)
  --lib-dir DIR             libllama folder (HEARTH_LIB_DIR)
  --variant NAME            prebuilt @node-llama-cpp variant (HEARTH_VARIANT)
${LORA_HELP}`;

// llama.cpp spells some short flags with two letters; parseArgs takes one.
const ALIASES: Record<string, string> = {
  "-ub": "--ubatch-size",
  "-ngl": "--n-gpu-layers",
  "-fa": "--flash-attn",
};

function ints(name: string, text: string, min: number): number[] {
  return text.split(",").map((part) => {
    const value = Number(part);
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(`--${name} must be integers >= ${min}, got "${text}"`);
    }
    return value;
  });
}

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
    const { values } = parseArgs({
      args: rest.map((arg) => ALIASES[arg] ?? arg),
      options: {
        model: { type: "string", short: "m" },
        "n-prompt": { type: "string", short: "p", default: "512" },
        "n-gen": { type: "string", short: "n", default: "128" },
        repetitions: { type: "string", short: "r", default: "5" },
        threads: { type: "string", short: "t" },
        "batch-size": { type: "string", short: "b", default: "2048" },
        "ubatch-size": { type: "string", default: "512" },
        "n-gpu-layers": { type: "string", default: "99" },
        "flash-attn": { type: "string", default: "auto" },
        output: { type: "string", short: "o", default: "md" },
        compare: { type: "string" },
        parallel: { type: "string" },
        http: { type: "boolean" },
        "serve-compare": { type: "string" },
        "lib-dir": { type: "string" },
        variant: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.model) throw new TypeError("bench needs a model: -m MODEL");
    const format = values.output as BenchFormat;
    if (!["md", "json", "jsonl", "csv"].includes(format)) {
      throw new RangeError(`--output must be md, json, jsonl or csv, got "${format}"`);
    }
    const fa = values["flash-attn"];
    if (!["0", "1", "auto"].includes(fa)) {
      throw new RangeError(`--flash-attn must be 0, 1 or auto, got "${fa}"`);
    }
    const settings: BenchSettings = {
      modelFilename: values.model,
      nThreads: ints("threads", values.threads ?? String(navigator.hardwareConcurrency), 1)[0],
      nBatch: ints("batch-size", values["batch-size"], 1)[0],
      nUbatch: ints("ubatch-size", values["ubatch-size"], 1)[0],
      nGpuLayers: ints("n-gpu-layers", values["n-gpu-layers"], -1)[0],
      flashAttn: fa === "auto" ? "auto" : fa === "1",
      repetitions: ints("repetitions", values.repetitions, 1)[0],
    };
    const tests = benchTests(
      ints("n-prompt", values["n-prompt"], 0),
      ints("n-gen", values["n-gen"], 0),
    );
    const parallel = values.parallel ? ints("parallel", values.parallel, 1) : undefined;
    model = await loadModel(values.model, {
      ...defaults,
      libDir: values["lib-dir"] ?? defaults.libDir,
      variant: (values.variant ?? defaults.variant) as EngineOptions["variant"],
      nGpuLayers: settings.nGpuLayers,
    });
    settings.loras = await loadLoraFlags(model, loras);
    if (values["serve-compare"]) {
      model.dispose();
      const rows = await benchServers({
        model: values.model,
        llamaServer: values["serve-compare"],
        parallel: parallel ?? [1, 4, 16],
        nGen: tests.find((t) => t.nGen > 0)?.nGen ?? 128,
        nThreads: settings.nThreads,
        repetitions: settings.repetitions,
        eos: model.info.eos,
        env: values["lib-dir"] ? { HEARTH_LIB_DIR: values["lib-dir"] } : undefined,
      });
      await Deno.stdout.write(new TextEncoder().encode(formatServeBench(rows)));
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
