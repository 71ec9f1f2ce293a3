/**
 * `--lora FILE` and `--lora-scaled FILE SCALE`, repeatable, as llama.cpp's tools take
 * them. They are taken out of the argument list before the option table is read: the
 * table knows one value per flag, and `--lora-scaled` takes two. llama-server's own
 * spellings are read too: comma-separated files (`--lora a.gguf,b.gguf`) and
 * `--lora-scaled FILE:SCALE[,FILE:SCALE...]`.
 *
 * @module
 */
import type { Context } from "../engine/context.ts";
import type { LoraEntry } from "../engine/lora.ts";
import type { Model } from "../engine/model.ts";

/** One adapter to load, with its scale (1 for `--lora`). */
export interface LoraFlag {
  /** The adapter GGUF file. */
  path: string;
  /** Its scale; 0 = loaded but off. */
  scale: number;
}

/** The help lines of the two flags, for every command's `--help`. */
export const LORA_HELP =
  `      --lora FILE             apply the LoRA adapter FILE at scale 1 (repeatable)
      --lora-scaled FILE SCALE  apply the LoRA adapter FILE at SCALE (repeatable)`;

/**
 * Takes the LoRA flags out of `args`.
 *
 * @returns the adapters in order, and the other arguments.
 * @throws {TypeError} for a flag without its file or scale.
 * @throws {RangeError} for a scale that is not a finite number.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { extractLoraFlags } from "./lora_flags.ts";
 *
 * deepStrictEqual(extractLoraFlags(["--lora", "a.gguf", "-p", "Hi", "--lora-scaled", "b.gguf", "0.5"]), {
 *   loras: [{ path: "a.gguf", scale: 1 }, { path: "b.gguf", scale: 0.5 }],
 *   rest: ["-p", "Hi"],
 * });
 * ```
 */
export function extractLoraFlags(args: readonly string[]): { loras: LoraFlag[]; rest: string[] } {
  const loras: LoraFlag[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = splitEquals(arg);
    if (flag !== "--lora" && flag !== "--lora-scaled") {
      rest.push(arg);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || value === "") {
      throw new TypeError(`Cannot use ${flag}: it needs a file; pass ${flag} FILE`);
    }
    if (flag === "--lora") {
      for (const path of value.split(",")) if (path) loras.push({ path, scale: 1 });
      continue;
    }
    const next = args[i + 1];
    if (inline === undefined && next !== undefined && isNumber(next)) {
      loras.push({ path: value, scale: scaleOf(next, flag) });
      i++;
      continue;
    }
    // llama-server's FILE:SCALE[,FILE:SCALE...].
    for (const part of value.split(",")) {
      const colon = part.lastIndexOf(":");
      if (colon <= 0) {
        throw new TypeError(
          `Cannot use ${flag} "${part}": expected FILE SCALE or FILE:SCALE, such as ${flag} adapter.gguf 0.5`,
        );
      }
      loras.push({ path: part.slice(0, colon), scale: scaleOf(part.slice(colon + 1), flag) });
    }
  }
  return { loras, rest };
}

function splitEquals(arg: string): [string, string | undefined] {
  if (!arg.startsWith("--lora")) return [arg, undefined];
  const eq = arg.indexOf("=");
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function isNumber(text: string): boolean {
  return text.trim() !== "" && Number.isFinite(Number(text));
}

function scaleOf(text: string, flag: string): number {
  if (!isNumber(text)) {
    throw new RangeError(`Cannot use ${flag} scale "${text}": expected a number such as 0.5`);
  }
  return Number(text);
}

/**
 * Loads each adapter of the flags onto `model` (which owns them) and, given a context,
 * applies them to it with their scales (generate, chat, bench; serve applies them per
 * request).
 *
 * @throws {LoraAdapterError} for a file that is not an adapter of this model.
 * @throws {ModelNotFoundError} for a missing file.
 */
export async function loadLoraFlags(
  model: Model,
  flags: readonly LoraFlag[],
  context?: Context,
): Promise<LoraEntry[]> {
  const entries: LoraEntry[] = [];
  for (const { path, scale } of flags) {
    entries.push({ adapter: await model.loadLora(path), scale });
  }
  if (context && entries.length > 0) await context.setLoras(entries);
  return entries;
}
