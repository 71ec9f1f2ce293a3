/**
 * `deno task bench`'s flags: an option table read by config/args.ts like every other
 * command's, with llama-bench's spellings (`-ngl`, `-ub`, `-fa` included) and its
 * comma-separated lists for `-p` and `-n`.
 *
 * @module
 */
import {
  type Command,
  formatOptions,
  optionRow,
  type OptionSpec,
  readOptions,
} from "../config/args.ts";
import { LIB_VARIANTS } from "../ffi/lib_dir.ts";
import { type DraftFlags, draftOptionRows } from "../config/draft_flags.ts";
import type { BenchFormat } from "./report.ts";

const BENCH: readonly Command[] = ["bench"];

/** Reads "N[,N...]", each an integer >= `min`; undefined for anything else. */
function intList(min: number) {
  return {
    parse: (text: string) => {
      const values = text.split(",").map((part) => part.trim());
      if (!values.every((v) => /^[+-]?\d+$/.test(v) && Number(v) >= min)) return undefined;
      return values.map(Number);
    },
    expect: `integers >= ${min}, comma-separated`,
  };
}

const atLeast = (min: number) => ({ ok: (v: number) => v >= min, expect: `an integer >= ${min}` });

/** A row of bench's table (config/args.ts `optionRow`). */
const row = optionRow(BENCH);

/** bench's options, in `--help` order; flags and defaults are llama-bench's. */
export const BENCH_OPTIONS: readonly OptionSpec[] = Object.freeze([
  row("model", "-m, --model", "string FILE", undefined, "GGUF model (required)"),
  row("nPrompt", "-p, --n-prompt", "string N[,N...]", "512", "prompt tokens per pp test", {
    read: intList(0),
  }),
  row("nGen", "-n, --n-gen", "string N[,N...]", "128", "generated tokens per tg test", {
    read: intList(0),
  }),
  row("repetitions", "-r, --repetitions", "int N", 5, "timed repetitions per test", {
    check: atLeast(1),
  }),
  row("nThreads", "-t, --threads", "int N", undefined, "CPU threads", {
    check: atLeast(1),
    defaultText: "logical CPUs",
  }),
  row("nBatch", "-b, --batch-size", "int N", 2048, "n_batch", { check: atLeast(1) }),
  row("nUbatch", "-ub, --ubatch-size", "int N", 512, "n_ubatch", { check: atLeast(1) }),
  row("nGpuLayers", "-ngl, --n-gpu-layers", "int N", 99, "layers on GPU", {
    check: atLeast(-1),
  }),
  row("flashAttn", "-fa, --flash-attn", "string 0|1|auto", "auto", "flash attention", {
    choices: ["0", "1", "auto"],
  }),
  row("output", "-o, --output", "string FORMAT", "md", "output format", {
    choices: ["md", "json", "jsonl", "csv"],
  }),
  row(
    "compare",
    "--compare",
    "string LLAMA_BENCH",
    undefined,
    "run llama-bench interleaved and print ratios",
  ),
  row(
    "serveCompare",
    "--serve-compare",
    "string LLAMA_SERVER",
    undefined,
    "hearth serve against llama-server, both started here with one argument list (-m, -c " +
      "total KV, -np B, -t, -b, -ub): --parallel B clients (default 1,4,16) stream -n tokens " +
      "each, rounds alternating; --clients C sets the streams apart from the slots",
  ),
  row(
    "clients",
    "--clients",
    "string C[,C...]",
    undefined,
    "with --serve-compare: C streams at once against each --parallel B slots (one row per " +
      "B and C); default C = B",
    { read: intList(1) },
  ),
  row(
    "http",
    "--http",
    "boolean",
    false,
    "generation streamed over the OpenAI API to one client against the engine's own generate()",
  ),
  row(
    "parallel",
    "--parallel",
    "string B[,B...]",
    undefined,
    "llama-batched-bench's test through the scheduler: B requests of -p prompt and -n " +
      "generated tokens at once (--compare then names llama-batched-bench)",
    { read: intList(1) },
  ),
  row(
    "sharedPrefix",
    "--shared-prefix",
    "int N",
    undefined,
    "rows sharing an N-token prompt prefix (--parallel B rows at once, default 16), each " +
      "with 20 own tokens and -n generated: prompt tokens decoded per row and rows/s, prefix " +
      "sharing off and on, per-slot and unified KV",
    { check: atLeast(1) },
  ),
  // With -md: tg through greedy generate() with and without the draft (bench/speculative.ts).
  ...draftOptionRows(BENCH),
  row("libDir", "--lib-dir", "string DIR", undefined, "libllama folder (HEARTH_LIB_DIR)"),
  row("variant", "--variant", "string NAME", undefined, "prebuilt @node-llama-cpp variant", {
    choices: LIB_VARIANTS,
    defaultText: "HEARTH_VARIANT, else chosen from OS, CPU and GPU",
  }),
  row("rpc", "--rpc", "string SERVERS", undefined, "llama.cpp RPC workers HOST:PORT[,...]", {
    defaultText: "HEARTH_RPC, else none",
  }),
  row("db", "--db", "string FILE", undefined, "SQLite file the pp/tg run is saved in", {
    defaultText: "the app's database, $HEARTH_HOME/hearth.db",
  }),
  row("noDb", "--no-db", "boolean", false, "do not save the run"),
  row("help", "-h, --help", "boolean", false, "show this help"),
]);

/** `bench --help`, from {@link BENCH_OPTIONS}. */
export const BENCH_HELP = `Usage: deno task bench -m MODEL [options]\n\n${
  formatOptions(BENCH_OPTIONS)
}`;

/** bench's arguments after {@link parseBenchArgs}. */
export interface BenchArgs extends DraftFlags {
  model: string;
  nPrompt: number[];
  nGen: number[];
  repetitions: number;
  /** undefined = logical CPUs. */
  nThreads: number | undefined;
  nBatch: number;
  nUbatch: number;
  nGpuLayers: number;
  flashAttn: boolean | "auto";
  output: BenchFormat;
  compare: string | undefined;
  serveCompare: string | undefined;
  http: boolean;
  parallel: number[] | undefined;
  /** --serve-compare's streams per round; undefined = as many as slots. */
  clients: number[] | undefined;
  /** Tokens of the shared prompt prefix of the --shared-prefix test; undefined = not run. */
  sharedPrefix: number | undefined;
  libDir: string | undefined;
  variant: string | undefined;
  /** llama.cpp RPC workers, "HOST:PORT[,HOST:PORT...]". */
  rpc: string | undefined;
  /** The SQLite file a pp/tg run is saved in; undefined = the app's database. */
  db: string | undefined;
  /** Save no run. */
  noDb: boolean;
}

/**
 * Parses bench's arguments; undefined for `--help`.
 *
 * @throws {TypeError} for an unknown flag or no model.
 * @throws {RangeError} for a bad value, naming the flag.
 */
export function parseBenchArgs(args: readonly string[]): BenchArgs | undefined {
  const read = readOptions(BENCH_OPTIONS, args, { helpHint: "deno task bench --help" });
  if (read.help) return undefined;
  const { help: _, ...values } = read.values as
    & Omit<BenchArgs, "flashAttn" | "nPrompt" | "nGen">
    & {
      help: boolean;
      flashAttn: string;
      nPrompt: string | number[];
      nGen: string | number[];
    };
  if (values.model === undefined) throw new TypeError("bench needs a model: -m MODEL");
  // The defaults are the table's text, as --help shows them.
  const list = (value: string | number[]) => typeof value === "string" ? [Number(value)] : value;
  return {
    ...values,
    nPrompt: list(values.nPrompt),
    nGen: list(values.nGen),
    flashAttn: values.flashAttn === "auto" ? "auto" : values.flashAttn === "1",
  };
}
