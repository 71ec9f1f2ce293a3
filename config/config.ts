/**
 * Hearth's configuration: the one place that reads `Deno.env` and command-line flags.
 * {@link OPTIONS} is the table of every option (flags, variable, default, unit,
 * description) that drives both parsing and `--help`; {@link loadConfig} turns argv
 * and the environment into a frozen, validated {@link Config}.
 *
 * This module holds the Config and its loading; the option table is in options.ts,
 * `--help` in help.ts and the other environment readers in env.ts, all re-exported here.
 *
 * @module
 */
import { type Command, type OptionSpec, readOptions } from "./args.ts";
import { extractLoraFlags, type LoraFlag } from "./lora_flags.ts";
import { checkDraftFlags, type DraftFlags } from "./draft_flags.ts";
import type { LibVariant } from "../ffi/lib_dir.ts";
import type { EngineOptions } from "../engine/engine.ts";
import { parseRpcServers } from "../engine/rpc_endpoints.ts";
import { dataDir } from "../storage/mod.ts";
import { denoEnv, type EnvReader } from "./env.ts";
import { type LogLevel, optionsOf, SESSION, type TuiLayout } from "./options.ts";

// The option table, help and environment readers live beside this module; importers
// keep this path.
export {
  BUNDLED_MODEL,
  LOG_LEVELS,
  type LogLevel,
  OPTIONS,
  TUI_LAYOUTS,
  type TuiLayout,
} from "./options.ts";
export { helpText } from "./help.ts";
export {
  apiKeyEnv,
  configDirFromEnv,
  dataDirFromEnv,
  type EnvReader,
  type HubEnv,
  hubEnv,
  libraryRoots,
  providersEnv,
} from "./env.ts";

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
