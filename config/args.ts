/**
 * Table-driven command-line parsing: the subcommand, llama.cpp-style flags, value
 * conversion with errors that name the flag, and `--help` text. Every command parses
 * its flags here from its own table of {@link OptionSpec} rows: `config.ts` holds
 * chat's, generate's and start's; bench, serve, pull and models keep theirs beside
 * their code. This file reads neither `Deno.args` nor `Deno.env`.
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
  | "serve"
  | "providers"
  | "rpc-server"
  | "sheet";

/** Every subcommand a user can name, with its one-line summary for `--help`. */
export const COMMANDS: Readonly<Record<Exclude<Command, "start">, string>> = Object.freeze({
  chat: "chat with a model in the terminal, line by line (for pipes and scripts)",
  tui: "the full-screen terminal app: chats, models, metrics, on the desktop app's database",
  generate: "complete a prompt and print the completion",
  bench: "measure prompt and generation speed, llama-bench style",
  pull: "download a GGUF model from Hugging Face: pull ORG/REPO[:QUANT|/FILE.gguf]",
  models: "list the model library (--json); models rm ID; models verify ID",
  serve: "serve a model over an OpenAI-compatible API with continuous batching",
  providers: "remote OpenAI-compatible providers: providers add|list|test|rm",
  "rpc-server": "run a llama.cpp RPC worker that another machine's --rpc can use",
  sheet: "fill new table columns with a model, row by row: sheet run IN.csv --column ...",
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
  /**
   * Reads a string option the types cannot (`on|off|auto`, comma-separated lists):
   * returns the value, or undefined for text it refuses, which is reported as
   * "must be `expect`".
   */
  read?: { parse: (text: string) => OptionValue | undefined; expect: string };
  /** The flag may be repeated; its raw values are collected in order (a string array). */
  multiple?: boolean;
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

/**
 * A maker of table rows for `commands`: `row(key, flags, kind, default, description,
 * more)`, with `flags` as `--help` shows them ("-n, --n-predict") and `kind` as
 * "TYPE VALUE_NAME" ("int N"; plain "boolean" for a switch); `more` overrides any field.
 *
 * @example
 * ```ts ignore
 * const row = optionRow(["serve"]);
 * const spec = row("port", "--port", "int PORT", 8080, "port to bind");
 * ```
 */
export function optionRow(
  commands: readonly Command[],
): (
  key: string,
  flags: string,
  kind: string,
  fallback: OptionSpec["default"],
  description: string,
  more?: Partial<OptionSpec>,
) => OptionSpec {
  return (key, flags, kind, fallback, description, more = {}) => {
    const [type, valueName] = kind.split(" ") as [OptionSpec["type"], string | undefined];
    return {
      key,
      flags: flags.split(", "),
      type,
      valueName,
      default: fallback,
      description,
      commands,
      ...more,
    };
  };
}

/**
 * A flag value or an environment value: a raw string (or true for a boolean flag, or
 * every string given for a `multiple` option).
 */
export type RawValue = string | boolean | string[];

/** A converted option value. */
export type OptionValue = string | number | boolean | readonly OptionValue[];

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
  return parseCommandLine(specs, argv, helpHint).flags;
}

/**
 * Parses argv against the table: the raw value of each flag given, by key, and, when
 * `allowPositionals`, the other arguments in order. A flag given twice keeps the last
 * value, as in llama.cpp, unless it is `multiple`.
 *
 * @throws {TypeError} for unknown flags, missing values or (without
 *   `allowPositionals`) stray arguments.
 */
export function parseCommandLine(
  specs: readonly OptionSpec[],
  argv: readonly string[],
  helpHint = "--help",
  allowPositionals = false,
): { flags: Map<string, RawValue>; positionals: string[] } {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = {};
  for (const spec of specs) {
    options[longName(spec)] = {
      type: spec.type === "boolean" ? "boolean" : "string",
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  let values: Record<string, RawValue | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: expandArgs(specs, argv, helpHint),
      options,
      strict: true,
      allowPositionals,
    });
    // Booleans are never `multiple`, so arrays hold strings only.
    values = parsed.values as Record<string, RawValue | undefined>;
    positionals = parsed.positionals;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw error;
    // parseArgs' own wording talks about positionals, which these commands have none of.
    const arg = (error as Error).message.match(/'(.*)'/)?.[1] ?? "";
    throw new TypeError(
      `Unexpected argument "${arg}": every value follows its flag; see ${helpHint}`,
    );
  }
  const flags = new Map<string, RawValue>();
  for (const spec of specs) {
    const value = values[longName(spec)];
    if (value !== undefined) flags.set(spec.key, value);
  }
  return { flags, positionals };
}

/** What {@link readOptions} returns. */
export interface ReadOptions {
  /** Every option's value by key: the flag's, else the variable's, else the default. */
  values: Record<string, OptionValue | undefined>;
  /** The arguments that are not flags, in order. */
  positionals: string[];
  /** `-h`/`--help` was given: values hold the defaults, nothing was converted. */
  help: boolean;
}

/**
 * Parses a command's argv against its table and converts every value: a flag beats
 * its variable, which beats the default; an empty variable counts as unset.
 *
 * @param options.helpHint The help command errors point to, e.g. "hearth serve --help".
 * @param options.env Reads an option's environment variable; default: none is read.
 * @param options.positionals Accept arguments that are not flags. Default false.
 * @throws {TypeError} for an unknown flag, a missing value or a stray argument.
 * @throws {RangeError} for a bad value, naming the flag or variable and the option.
 */
export function readOptions(
  specs: readonly OptionSpec[],
  argv: readonly string[],
  options: {
    helpHint?: string;
    env?: (name: string) => string | undefined;
    positionals?: boolean;
  } = {},
): ReadOptions {
  const { flags, positionals } = parseCommandLine(
    specs,
    argv,
    options.helpHint,
    options.positionals ?? false,
  );
  const values: Record<string, OptionValue | undefined> = {};
  for (const spec of specs) values[spec.key] = spec.default;
  if (flags.get("help") === true) return { values, positionals, help: true };
  for (const spec of specs) {
    const flag = flags.get(spec.key);
    const fromEnv = spec.env ? options.env?.(spec.env) : undefined;
    if (flag !== undefined) {
      values[spec.key] = convertValue(spec, flag, `--${longName(spec)}`);
    } else if (fromEnv !== undefined && fromEnv !== "") {
      values[spec.key] = convertValue(spec, fromEnv, spec.env!);
    }
  }
  return { values, positionals, help: false };
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
): OptionValue {
  if (Array.isArray(raw)) return raw.map((one) => convertValue(spec, one, source));
  if (spec.type === "boolean" || typeof raw === "boolean") return raw;
  const fail = (expect: string) =>
    new RangeError(`Cannot use ${source} "${raw}": ${snakeCase(spec.key)} must be ${expect}`);
  if (spec.read) {
    const value = spec.read.parse(raw);
    if (value === undefined) throw fail(spec.read.expect);
    return value;
  }
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
/** The widest flag column of `--help`; longer flag lists take a line of their own. */
const FLAG_COLUMN = 30;

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
  const width = Math.min(FLAG_COLUMN, Math.max(...rows.map(([flags]) => flags.length)));
  return rows.map(([flags, text, notes]) => {
    const described = notes.length === 0 ? text : `${text} [${notes.join("; ")}]`;
    // A flag list wider than the column gets a line of its own.
    if (flags.length > width) {
      return `  ${flags}\n${wrap(`${" ".repeat(width + 4)}${described}`, width + 4)}`;
    }
    return wrap(`  ${flags.padEnd(width)}  ${described}`, width + 4);
  }).join("\n");
}

/** Breaks a help row longer than the terminal at spaces; continued lines start at `indent`. */
function wrap(line: string, indent: number): string {
  const lines: string[] = [];
  let rest = line;
  while (rest.length > HELP_WIDTH) {
    const cut = rest.lastIndexOf(" ", HELP_WIDTH);
    if (cut <= indent) break;
    lines.push(rest.slice(0, cut));
    rest = " ".repeat(indent) + rest.slice(cut + 1);
  }
  return [...lines, rest].join("\n");
}
