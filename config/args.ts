/**
 * Table-driven command-line parsing: the subcommand, llama.cpp-style flags, value
 * conversion with errors that name the flag, and `--help` text. `config.ts` holds the
 * table and is the only caller; this file reads neither `Deno.args` nor `Deno.env`.
 *
 * @module
 */
// node:util's parseArgs is a small, well-kept built-in (Node's own, shipped by Deno);
// JSR's @std/cli cannot be fetched here, and a hand-rolled parser would be more code.
import { parseArgs } from "node:util";

/** The subcommands main.ts dispatches; "start" is the bare `hearth` (the desktop app). */
export type Command =
  | "start"
  | "chat"
  | "tui"
  | "generate"
  | "bench"
  | "pull"
  | "models"
  | "serve";

/** Every subcommand a user can name, with its one-line summary for `--help`. */
export const COMMANDS: Readonly<Record<Exclude<Command, "start">, string>> = Object.freeze({
  chat: "chat with a model in the terminal, line by line (for pipes and scripts)",
  tui: "the full-screen terminal app: chats, models, metrics, on the desktop app's database",
  generate: "complete a prompt and print the completion",
  bench: "measure prompt and generation speed, llama-bench style",
  pull: "download a GGUF model from Hugging Face: pull ORG/REPO[:QUANT|/FILE.gguf]",
  models: "list the model library (--json); models rm ID; models verify ID",
  serve: "serve a model over an OpenAI-compatible API with continuous batching",
});

/** How a flag's text becomes a value. */
export type OptionType = "string" | "int" | "number" | "boolean";

/** One row of the option table: a flag, its environment variable, default and help. */
export interface OptionSpec {
  /** The camelCase key in the config object, e.g. "nPredict". */
  key: string;
  /**
   * Its flags, llama.cpp's spelling: short ones first, then long; the first long flag
   * is canonical, e.g. `["-ngl", "--n-gpu-layers", "--gpu-layers"]`.
   */
  flags: readonly string[];
  /** The environment variable that sets it when no flag does. */
  env?: string;
  /** How the value is read. */
  type: OptionType;
  /** The placeholder in `--help`, e.g. "N" or "FILE". */
  valueName?: string;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** Range check of a numeric option, with its wording for errors ("an integer >= -1"). */
  check?: { ok: (value: number) => boolean; expect: string };
  /** The value when neither flag nor variable is given. */
  default: string | number | boolean | undefined;
  /** How `--help` shows the default, when the value itself would mislead. */
  defaultText?: string;
  /** Unit of a numeric value, for `--help` ("tokens", "threads"). */
  unit?: string;
  /** One line for `--help`: what it does, and what 0 or -1 mean. */
  description: string;
  /** Commands that accept the option. */
  commands: readonly Command[];
}

/** A flag value or an environment value: a raw string (or true for a boolean flag). */
export type RawValue = string | boolean;

/**
 * Splits argv into the subcommand and its arguments. No subcommand (or a flag first)
 * is "start".
 *
 * @throws {TypeError} for an unknown subcommand.
 */
export function splitCommand(argv: readonly string[]): { command: Command; rest: string[] } {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith("-")) return { command: "start", rest: [...argv] };
  if (first in COMMANDS) return { command: first as Command, rest };
  throw new TypeError(
    `Unknown command "${first}": expected one of ${Object.keys(COMMANDS).join(", ")}`,
  );
}

/** The canonical long name (without dashes) of an option. */
export function longName(spec: OptionSpec): string {
  const long = spec.flags.find((flag) => flag.startsWith("--"));
  if (!long) throw new TypeError(`Option "${spec.key}" has no long flag`);
  return long.slice(2);
}

/**
 * Rewrites argv into `--canonical=value` / `--canonical` form. parseArgs knows only
 * one-letter short flags, so llama.cpp's `-ngl` must become a long flag first; and a
 * value flag always takes the next argument, as in llama.cpp, so `-n -1` works (in
 * strict mode parseArgs refuses a value starting with "-").
 *
 * @throws {TypeError} for a flag not in `specs`, naming it and the help command.
 */
export function expandArgs(
  specs: readonly OptionSpec[],
  argv: readonly string[],
  helpHint = "--help",
): string[] {
  const byFlag = new Map<string, OptionSpec>();
  for (const spec of specs) for (const flag of spec.flags) byFlag.set(flag, spec);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const spec = byFlag.get(flag);
    if (!spec) throw new TypeError(`Unknown flag "${flag}": see ${helpHint}`);
    const name = `--${longName(spec)}`;
    if (eq !== -1) out.push(`${name}=${arg.slice(eq + 1)}`);
    else if (spec.type !== "boolean" && i + 1 < argv.length) out.push(`${name}=${argv[++i]}`);
    else out.push(name); // parseArgs reports a missing value
  }
  return out;
}

/**
 * Parses argv against the table; returns the raw value of each flag given, by key.
 * A flag given twice keeps the last value, as in llama.cpp.
 *
 * @throws {TypeError} for unknown flags, missing values or stray arguments.
 */
export function parseFlags(
  specs: readonly OptionSpec[],
  argv: readonly string[],
  helpHint?: string,
): Map<string, RawValue> {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const spec of specs) {
    options[longName(spec)] = { type: spec.type === "boolean" ? "boolean" : "string" };
  }
  let values: Record<string, RawValue | undefined>;
  try {
    ({ values } = parseArgs({
      args: expandArgs(specs, argv, helpHint),
      options,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw error;
    // parseArgs' own wording talks about positionals, which Hearth has none of.
    const arg = (error as Error).message.match(/'(.*)'/)?.[1] ?? "";
    throw new TypeError(
      `Unexpected argument "${arg}": every value follows its flag; see ${helpHint}`,
    );
  }
  const raw = new Map<string, RawValue>();
  for (const spec of specs) {
    const value = values[longName(spec)];
    if (value !== undefined) raw.set(spec.key, value);
  }
  return raw;
}

/** A config key in llama.cpp's snake_case, for messages: "nPredict" → "n_predict". */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Converts a raw flag or variable value to the option's type and checks its range.
 *
 * @param source What the user wrote it as, for the message: "--temp" or "HEARTH_VARIANT".
 * @throws {RangeError} naming `source` and the option, e.g.
 *   `Cannot use --temp "-1": temperature must be a finite number >= 0`.
 */
export function convertValue(
  spec: OptionSpec,
  raw: RawValue,
  source: string,
): string | number | boolean {
  if (spec.type === "boolean" || typeof raw === "boolean") return raw;
  const fail = (expect: string) =>
    new RangeError(`Cannot use ${source} "${raw}": ${snakeCase(spec.key)} must be ${expect}`);
  if (spec.type === "string") {
    if (spec.choices && !spec.choices.includes(raw)) {
      throw fail(`one of ${spec.choices.join(", ")}`);
    }
    if (raw === "") throw fail("a non-empty string");
    return raw;
  }
  const expect = spec.check?.expect ?? (spec.type === "int" ? "an integer" : "a finite number");
  const text = raw.trim();
  const value = Number(text);
  const wellFormed = spec.type === "int" ? /^[+-]?\d+$/.test(text) : text !== "";
  if (!wellFormed || !Number.isFinite(value)) throw fail(expect);
  if (spec.check && !spec.check.ok(value)) throw fail(expect);
  return value;
}

/** The flag column of a help row: "-n, --n-predict N". */
function flagColumn(spec: OptionSpec): string {
  const value = spec.type === "boolean" ? "" : ` ${spec.valueName ?? "VALUE"}`;
  return `${spec.flags.join(", ")}${value}`;
}

const HELP_WIDTH = 100;

/** The help rows of `specs`: flags, description, unit, default and variable. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const rows = specs.map((spec) => {
    const notes: string[] = [];
    if (spec.choices) notes.push(`one of: ${spec.choices.join(", ")}`);
    if (spec.unit) notes.push(`unit: ${spec.unit}`);
    const shown = spec.defaultText ?? (spec.default === undefined ? undefined : `${spec.default}`);
    if (shown !== undefined && spec.type !== "boolean") notes.push(`default: ${shown}`);
    if (spec.env) notes.push(`env: ${spec.env}`);
    return [flagColumn(spec), spec.description, notes] as const;
  });
  const width = Math.max(...rows.map(([flags]) => flags.length));
  return rows.map(([flags, text, notes]) => {
    const line = `  ${flags.padEnd(width)}  ${text}`;
    // Notes go on their own line when the row would not fit a 100-column terminal.
    const joined = notes.length === 0 ? line : `${line} [${notes.join("; ")}]`;
    if (joined.length <= HELP_WIDTH) return joined;
    return [line, ...notes].join(`\n${" ".repeat(width + 6)}`);
  }).join("\n");
}
