/**
 * The table of every option of the run commands (start, chat, tui, generate): flags,
 * variable, default, unit and description, which drives both parsing and `--help`,
 * with the values some options choose from and the command groups rows name.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type Command, optionRow, type OptionSpec } from "./args.ts";
import { draftOptionRows } from "./draft_flags.ts";
import { LIB_VARIANTS } from "../ffi/lib_dir.ts";

/**
 * The model shipped in the repository (Karpathy's stories260K), resolved from this
 * file's URL (one folder below main.ts), so it is found from any working directory.
 */
export const BUNDLED_MODEL: string = fileURLToPath(
  new URL("../models/stories260K.gguf", import.meta.url),
);

/** llama.cpp log levels; "none" keeps its log off stderr. */
export const LOG_LEVELS = ["none", "error", "warn", "info", "debug"] as const;
/** A llama.cpp log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** The terminal UI's layouts: one pane, chat with a sidebar, chat with an inspector. */
export const TUI_LAYOUTS = ["single", "sidebar", "inspector"] as const;
/** A terminal UI layout. */
export type TuiLayout = typeof TUI_LAYOUTS[number];

/** The run commands, every one of which this table serves. */
export const RUN: readonly Command[] = ["start", "chat", "tui", "generate"];
/** The commands that run one session on a model of their own (the draft flags' too). */
export const SESSION: readonly Command[] = ["chat", "generate"];
const TUI: readonly Command[] = ["tui"];
const CHAT: readonly Command[] = ["chat"];
const APP: readonly Command[] = ["start"];
const GEN: readonly Command[] = ["generate"];
const INT32_MAX = 2 ** 31 - 1;
const intAtLeast = (min: number) => ({
  ok: (v: number) => v >= min && v <= INT32_MAX,
  expect: `an integer >= ${min}`,
});

/** A table row (config/args.ts `optionRow`); every run command takes it unless `more` says otherwise. */
const row = optionRow(SESSION);

/**
 * Every option, in `--help` order. Flag names and meanings are llama.cpp's
 * (common/arg.cpp); sampling defaults are llama.cpp's, which the engine shares.
 */
export const OPTIONS: readonly OptionSpec[] = Object.freeze([
  row("help", "-h, --help", "boolean", false, "print this help", { commands: RUN }),
  row("browser", "--browser", "boolean", false, "open the UI in the default browser, no window", {
    commands: APP,
  }),
  row("headless", "--headless", "boolean", false, "only serve the UI and print its URL", {
    commands: APP,
  }),
  row("port", "--port", "int PORT", 0, "port of the UI server on 127.0.0.1; 0 = a free one", {
    commands: APP,
    check: { ok: (v) => v >= 0 && v <= 65535, expect: "an integer in [0, 65535]" },
  }),
  row("model", "-m, --model", "string FILE", BUNDLED_MODEL, "GGUF model file", {
    defaultText: "models/stories260K.gguf (bundled)",
    commands: [...SESSION, "tui"],
  }),
  row("dryRun", "--dry-run", "boolean", false, "check the config and database, print counts", {
    commands: TUI,
  }),
  row("config", "--config", "string FILE", undefined, 'JSON file of options ({"layout": ...})', {
    commands: TUI,
  }),
  row("database", "--database", "string FILE", undefined, "the database file", {
    commands: TUI,
    defaultText: "hearth.db in the data folder",
  }),
  row("frameStats", "--frame-stats", "string FILE", undefined, "write frame times (JSON) on exit", {
    commands: TUI,
  }),
  row("layout", "--layout", "string NAME", "sidebar", "layout at start (the L key cycles)", {
    commands: TUI,
    choices: TUI_LAYOUTS,
  }),
  row("prompt", "-p, --prompt", "string TEXT", undefined, "prompt to complete (required)", {
    commands: GEN,
  }),
  row("system", "-sys, --system, --system-prompt", "string TEXT", undefined, "system prompt", {
    commands: CHAT,
  }),
  row("mmproj", "--mmproj", "string FILE", undefined, "mmproj GGUF: lets the model take images", {
    defaultText: "none",
  }),
  row(
    "images",
    "--image",
    "string FILE",
    undefined,
    "image for the prompt (PNG, JPEG; repeatable)",
    {
      commands: GEN,
      multiple: true,
      defaultText: "none",
    },
  ),
  row("json", "--json", "boolean", false, "print one JSON object {text, finish_reason, metrics}", {
    commands: GEN,
  }),
  // -1 as in llama.cpp: stop at an end-of-generation token or when the context is full.
  row("nPredict", "-n, --n-predict, --predict", "int N", -1, "tokens to generate; -1 = no limit", {
    check: intAtLeast(-1),
  }),
  row("temperature", "--temp", "number T", 0.8, "temperature; 0 = greedy", {
    check: { ok: (v) => v >= 0, expect: "a finite number >= 0" },
  }),
  row("topK", "--top-k", "int K", 40, "top-k sampling; 0 = off", { check: intAtLeast(0) }),
  row("topP", "--top-p", "number P", 0.95, "top-p (nucleus) sampling; 1 = off", {
    check: { ok: (v) => v > 0 && v <= 1, expect: "a number in (0, 1]" },
  }),
  row("minP", "--min-p", "number P", 0.05, "min-p sampling; 0 = off", {
    check: { ok: (v) => v >= 0 && v <= 1, expect: "a number in [0, 1]" },
  }),
  row("repeatPenalty", "--repeat-penalty", "number X", 1, "repeat penalty; 1 = off", {
    check: { ok: (v) => v > 0, expect: "a finite number > 0" },
  }),
  row("seed", "-s, --seed", "int SEED", -1, "sampling seed; -1 = random", {
    check: { ok: (v) => v >= -1 && v <= 0xFFFFFFFF, expect: "an integer in [-1, 4294967295]" },
  }),
  // 2048 is the bundled model's training context; chat truncates the oldest turns to fit.
  row("nCtx", "-c, --ctx-size", "int N", 2048, "context size; 0 = the model's training context", {
    check: intAtLeast(0),
    unit: "tokens, rounded up to 256s",
  }),
  row("nThreads", "-t, --threads", "int N", undefined, "CPU threads for generation", {
    check: { ok: (v) => v >= 1 && v <= 512, expect: "an integer in [1, 512]" },
    defaultText: "logical CPUs",
  }),
  row("nGpuLayers", "-ngl, --n-gpu-layers, --gpu-layers", "int N", -1, "GPU layers; -1 = all", {
    check: intAtLeast(-1),
  }),
  ...draftOptionRows(SESSION),
  row("libDir", "--lib-dir", "string DIR", undefined, "libllama folder (native/build.sh output)", {
    commands: RUN,
    env: "HEARTH_LIB_DIR",
    defaultText: "the prebuilt npm package",
  }),
  row("variant", "--variant", "string NAME", undefined, "prebuilt libllama package", {
    commands: RUN,
    env: "HEARTH_VARIANT",
    choices: LIB_VARIANTS,
    defaultText: "chosen from OS, CPU and GPU",
  }),
  row("rpc", "--rpc", "string SERVERS", undefined, "llama.cpp RPC workers HOST:PORT[,...]", {
    commands: RUN,
    env: "HEARTH_RPC",
    defaultText: "none (docs/rpc.md)",
  }),
  row("logLevel", "--log-level", "string LEVEL", "none", "llama.cpp log lines to stderr", {
    commands: RUN,
    env: "HEARTH_LOG_LEVEL",
    choices: LOG_LEVELS,
  }),
]);

/** The options a command accepts. */
export function optionsOf(command: Command): OptionSpec[] {
  return OPTIONS.filter((spec) => spec.commands.includes(command));
}
