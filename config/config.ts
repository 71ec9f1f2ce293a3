/**
 * Hearth's configuration: the one place that reads `Deno.env` and command-line flags.
 * {@link OPTIONS} is the table of every option (flags, variable, default, unit,
 * description) that drives both parsing and `--help`; {@link loadConfig} turns argv
 * and the environment into a frozen, validated {@link Config}.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { isAbsolute, join } from "node:path";
import {
  type Command,
  COMMANDS,
  formatOptions,
  optionRow,
  type OptionSpec,
  readOptions,
} from "./args.ts";
import { extractLoraFlags, LORA_HELP, type LoraFlag } from "./lora_flags.ts";
import { checkDraftFlags, type DraftFlags, draftOptionRows } from "./draft_flags.ts";
import { LIB_VARIANTS, type LibVariant } from "../ffi/lib_dir.ts";
import type { EngineOptions } from "../engine/engine.ts";
import { parseRpcServers } from "../engine/rpc_endpoints.ts";
import { dataDir } from "../storage/mod.ts";
import { DEFAULT_ENDPOINT, hubCacheDir } from "../hub/mod.ts";
import { defaultRoots, type Root } from "../library/mod.ts";

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

/** The validated configuration of one `chat` or `generate` run. */
export interface Config extends DraftFlags {
  /** The subcommand; "start" is the bare command (the desktop app). */
  readonly command: Exclude<Command, "bench" | "pull" | "models" | "serve">;
  /** `-h`/`--help` was given: print usage, run nothing. */
  readonly help: boolean;
  /** GGUF file to load. */
  readonly model: string;
  /** The prompt to complete (generate). */
  readonly prompt: string | undefined;
  /** The system prompt (chat). */
  readonly system: string | undefined;
  /** Print one JSON object instead of streaming text (generate). */
  readonly json: boolean;
  /** Tokens to generate at most; -1 = until the end of generation or a full context. */
  readonly nPredict: number;
  /** LoRA adapters to apply (`--lora`, `--lora-scaled`), in order. Default none. */
  readonly loras: readonly LoraFlag[];
  /** The mmproj GGUF that lets the model take images (`--mmproj`). Default none. */
  readonly mmproj: string | undefined;
  /** Image files for the prompt (generate `--image`, repeatable), in order. Default none. */
  readonly images: readonly string[];
  /** KV cache size in tokens; 0 = the model's training context. */
  readonly nCtx: number;
  /** CPU threads; undefined = logical CPUs. */
  readonly nThreads: number | undefined;
  /** Layers to offload to GPU devices; -1 = all. */
  readonly nGpuLayers: number;
  /** Softmax temperature; 0 = greedy. */
  readonly temperature: number;
  /** Top-k sampling; 0 = off. */
  readonly topK: number;
  /** Top-p (nucleus) sampling; 1 = off. */
  readonly topP: number;
  /** Min-p sampling; 0 = off. */
  readonly minP: number;
  /** Repeat penalty; 1 = off. */
  readonly repeatPenalty: number;
  /** Sampling seed; -1 = a random seed per call. */
  readonly seed: number;
  /** Folder of libllama to use instead of the prebuilt package. */
  readonly libDir: string | undefined;
  /** Prebuilt package variant to force. */
  readonly variant: LibVariant | undefined;
  /** llama.cpp RPC workers, "HOST:PORT[,HOST:PORT...]", whose devices models use. */
  readonly rpc: string | undefined;
  /** llama.cpp log lines at or above this level go to stderr. */
  readonly logLevel: LogLevel;
  /** start: open the UI in the default browser instead of a native window. */
  readonly browser: boolean;
  /** start: serve the UI and print its URL only. */
  readonly headless: boolean;
  /** start: the UI server's port on 127.0.0.1; 0 = a free one. */
  readonly port: number;
  /**
   * Where the database lives: `$HEARTH_HOME`, else `$XDG_DATA_HOME/hearth`, else
   * `~/.local/share/hearth`.
   */
  readonly dataDir: string;
  /** tui: check the configuration and the database, print counts, open no screen. */
  readonly dryRun?: boolean;
  /** tui: a JSON file of options (long flag names without dashes); flags beat it. */
  readonly config?: string;
  /** tui: the database file; default `hearth.db` in {@link Config.dataDir}. */
  readonly database?: string;
  /** tui: the layout at start. */
  readonly layout?: TuiLayout;
  /** tui: write frame and input latency figures (JSON) to this file on exit. */
  readonly frameStats?: string;
  /** tui: `NO_COLOR` is set (https://no-color.org): draw without colours. */
  readonly noColor?: boolean;
}

/** The terminal UI's layouts: one pane, chat with a sidebar, chat with an inspector. */
export const TUI_LAYOUTS = ["single", "sidebar", "inspector"] as const;
/** A terminal UI layout. */
export type TuiLayout = typeof TUI_LAYOUTS[number];

const RUN: readonly Command[] = ["start", "chat", "tui", "generate"];
const SESSION: readonly Command[] = ["chat", "generate"];
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

/** Reads one environment variable; the default reads `Deno.env`. */
export type EnvReader = (name: string) => string | undefined;

const denoEnv: EnvReader = (name) => Deno.env.get(name);

/** The options a command accepts. */
function optionsOf(command: Command): OptionSpec[] {
  return OPTIONS.filter((spec) => spec.commands.includes(command));
}

/**
 * Builds the configuration of `command` from its arguments (after the subcommand) and
 * the environment. A flag beats its variable, which beats the default; an empty
 * variable counts as unset.
 *
 * @throws {TypeError} for an unknown flag, a missing value, a stray argument, or
 *   `generate` without `-p`.
 * @throws {RangeError} for a bad value, naming the flag or variable and the option.
 * @example
 * ```ts ignore
 * const config = loadConfig("generate", ["-p", "Once upon a time", "--temp", "0"]);
 * ```
 */
export function loadConfig(
  command: Exclude<Command, "bench" | "pull" | "models" | "serve">,
  argv: readonly string[],
  env: EnvReader = denoEnv,
): Config {
  if (command === "tui") argv = [...configFileArgs(optionsOf(command), argv), ...argv];
  const specs = optionsOf(command);
  const hint = command === "start" ? "hearth --help" : `hearth ${command} --help`;
  const { loras, rest } = extractLoraFlags(argv);
  const read = readOptions(specs, rest, { helpHint: hint, env });
  const values: Record<string, unknown> = { command, loras, ...read.values };
  if (read.help) return Object.freeze({ ...values, help: true }) as Config;
  values.dataDir = dataDir(env, env("HOME") ?? env("USERPROFILE") ?? ".");
  if (command === "tui") values.noColor = (env("NO_COLOR") ?? "") !== "";
  if (SESSION.includes(command)) checkDraftFlags(values as unknown as DraftFlags);
  // Malformed worker lists fail here, with the flag's name, before anything starts.
  if (typeof values.rpc === "string") parseRpcServers(values.rpc);
  if (command === "generate" && values.prompt === undefined) {
    throw new TypeError(`Cannot generate without a prompt: pass -p TEXT (see ${hint})`);
  }
  values.images ??= [];
  if ((values.images as string[]).length > 0 && values.mmproj === undefined) {
    throw new TypeError(`Cannot use --image without --mmproj FILE: the model needs its mmproj`);
  }
  return Object.freeze(values) as unknown as Config;
}

/**
 * The flags a `--config FILE` in `argv` stands for: the file is a JSON object whose keys
 * are long flag names without dashes (`{"layout": "single", "model": "a.gguf"}`); they
 * go before `argv`, so a flag given on the command line wins.
 *
 * @throws {TypeError} when the file cannot be read, is not a JSON object, or names an
 *   unknown option.
 */
function configFileArgs(specs: readonly OptionSpec[], argv: readonly string[]): string[] {
  const at = argv.findIndex((arg) => arg === "--config" || arg.startsWith("--config="));
  if (at === -1) return [];
  const path = argv[at].includes("=") ? argv[at].slice("--config=".length) : argv[at + 1];
  if (!path) return [];
  let values: unknown;
  try {
    values = JSON.parse(Deno.readTextFileSync(path));
  } catch (error) {
    throw new TypeError(`Cannot read config file "${path}": ${(error as Error).message}`);
  }
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new TypeError(`Cannot read config file "${path}": expected a JSON object of options`);
  }
  const known = new Set(specs.flatMap((spec) => spec.flags));
  const args: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const flag = `--${name}`;
    if (!known.has(flag) || name === "config") {
      throw new TypeError(`Cannot read config file "${path}": unknown option "${name}"`);
    }
    if (value === true) args.push(flag);
    else if (value !== false && value !== null) args.push(flag, String(value));
  }
  return args;
}

/** Marks an option that only some commands take, for the overview. */
function tagCommands(spec: OptionSpec): OptionSpec {
  if (spec.commands.length === RUN.length) return spec;
  const only = spec.commands.filter((c) => c !== "start").join(", ");
  return { ...spec, description: `${spec.description} (${only || "app"} only)` };
}

/** The `--help` text of a command ("start" gives the overview), from {@link OPTIONS}. */
export function helpText(command: Exclude<Command, "bench" | "pull" | "models" | "serve">): string {
  if (command === "generate") {
    return `Usage: hearth generate -p PROMPT [-m FILE] [FLAGS]\n\n` +
      `Streams the completion of PROMPT (not the prompt itself) to stdout.\n\n` +
      `Flags:\n${formatOptions(optionsOf("generate"))}\n${LORA_HELP}\n`;
  }
  if (command === "tui") {
    return `Usage: hearth tui [-m FILE] [--layout NAME] [--dry-run] [FLAGS]\n\n` +
      `The full-screen terminal app on the desktop app's database. Tab moves between\n` +
      `panes, Enter sends, Esc stops a reply, Ctrl+P opens the command palette, ? lists\n` +
      `the keys, Ctrl+C quits.\n\nFlags:\n${formatOptions(optionsOf("tui"))}\n`;
  }
  if (command === "chat") {
    return `Usage: hearth chat [-m FILE] [--system TEXT] [FLAGS]\n\n` +
      `Type a message and Enter; /help lists the chat commands. Ctrl+C stops a reply,\n` +
      `Ctrl+D or /quit exits.\n\nFlags:\n${formatOptions(optionsOf("chat"))}\n${LORA_HELP}\n`;
  }
  const commands = Object.entries(COMMANDS).map(([name, text]) => `  ${name.padEnd(9)} ${text}`);
  return `Usage: hearth [COMMAND] [FLAGS]\n\nCommands:\n${commands.join("\n")}\n\n` +
    `Without a command, hearth starts the desktop app. ` +
    `"hearth COMMAND --help" shows a command's flags.\n\n` +
    `Flags:\n${formatOptions(OPTIONS.map(tagCommands))}\n`;
}

/**
 * The engine settings the environment gives (HEARTH_LIB_DIR, HEARTH_VARIANT,
 * HEARTH_LOG_LEVEL, HEARTH_RPC), validated like their flags; for commands that parse their own
 * flags (bench).
 *
 * @throws {RangeError} for a bad value, naming the variable.
 */
export function engineEnv(env: EnvReader = denoEnv): EngineOptions {
  const { libDir, variant, logLevel, rpc } = loadConfig("chat", [], env);
  return { libDir, variant, logLevel, rpc };
}

/** Hugging Face settings from the environment, as huggingface_hub reads them. */
export interface HubEnv {
  /** `HF_ENDPOINT`, default https://huggingface.co. */
  endpoint: string;
  /** `HF_TOKEN`: for gated and private repos; never logged. */
  token: string | undefined;
  /**
   * Where downloads go, absolute: `HF_HUB_CACHE`, `HUGGINGFACE_HUB_CACHE`, `$HF_HOME/hub`,
   * ... by hub/hub_cache_dir.ts, the rule the library's Hugging Face root follows too.
   */
  cacheDir: string;
}

const home = (env: EnvReader) => env("HOME") ?? env("USERPROFILE") ?? ".";

/** Reads the Hugging Face variables (empty counts as unset). */
export function hubEnv(env: EnvReader = denoEnv): HubEnv {
  const value = (name: string) => env(name) || undefined;
  return {
    endpoint: value("HF_ENDPOINT") ?? DEFAULT_ENDPOINT,
    token: value("HF_TOKEN"),
    cacheDir: hubCacheDir(env, home(env)),
  };
}

/**
 * Where models live besides the configured folders: the Hugging Face cache, LM
 * Studio's folders and llama.cpp's cache, from the environment.
 */
export function libraryRoots(env: EnvReader = denoEnv): Root[] {
  return defaultRoots(env, home(env));
}

/** The database folder (`HEARTH_HOME`, `XDG_DATA_HOME`) for commands without a Config. */
export function dataDirFromEnv(env: EnvReader = denoEnv): string {
  return dataDir(env, home(env));
}

/** `HEARTH_API_KEY`: the key `hearth serve` requires when no --api-key is given. */
export function apiKeyEnv(env: EnvReader = denoEnv): string | undefined {
  return env("HEARTH_API_KEY") || undefined;
}

/**
 * Where provider settings live and how their `api_key_env` variables are read: the config
 * folder ({@link configDirFromEnv}) and a reader of the process environment. The one place
 * front ends get provider keys from the environment.
 */
export function providersEnv(
  env: EnvReader = denoEnv,
): { configDir: string; env: EnvReader } {
  return { configDir: configDirFromEnv(env), env };
}

/**
 * Hearth's config folder (provider settings and their keys): `$HEARTH_HOME` if set (one
 * folder for everything), else `$XDG_CONFIG_HOME/hearth`, else `~/.config/hearth`. Empty
 * variables count as unset; a relative `XDG_CONFIG_HOME` is ignored, as the XDG spec asks.
 */
export function configDirFromEnv(env: EnvReader = denoEnv): string {
  const hearthHome = env("HEARTH_HOME");
  if (hearthHome) return hearthHome;
  const xdg = env("XDG_CONFIG_HOME");
  if (xdg && isAbsolute(xdg)) return join(xdg, "hearth");
  return join(home(env), ".config", "hearth");
}
