/**
 * Speculative decoding's flags, with llama.cpp's names and their aliases (common/arg.cpp):
 * `-md/--model-draft FILE`, `--draft-max N`, `--draft-min N`, `--draft-p-min P`,
 * `-ngld/--gpu-layers-draft N`; rows for any command's option table, and the load of
 * the draft model they name.
 *
 * @module
 */
import { type Command, optionRow, type OptionSpec } from "./args.ts";
import { loadModel, type LoadModelOptions, type Model } from "../engine/model.ts";
import {
  DEFAULT_DRAFT_MAX,
  DEFAULT_DRAFT_MIN,
  DEFAULT_DRAFT_P_MIN,
  DRAFT_MAX_LIMIT,
  type DraftOptions,
} from "../engine/speculative.ts";

/** The draft flags' values, by their table keys. */
export interface DraftFlags {
  /** `-md`: the draft model file; undefined = no speculative decoding. */
  readonly modelDraft: string | undefined;
  /** `--draft-max`: most tokens per draft. */
  readonly draftMax: number;
  /** `--draft-min`: least tokens per draft (shorter ones are dropped). */
  readonly draftMin: number;
  /** `--draft-p-min`: least top-token probability to go on drafting. */
  readonly draftPMin: number;
  /** `-ngld`: draft layers on GPU devices; -1 = all. */
  readonly nGpuLayersDraft: number;
}

/**
 * The table rows of the draft flags for `commands`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { readOptions } from "./args.ts";
 * import { draftOptionRows } from "./draft_flags.ts";
 *
 * const read = readOptions(draftOptionRows(["generate"]), ["-md", "d.gguf", "--draft-max", "8"]);
 * strictEqual(read.values.modelDraft, "d.gguf");
 * strictEqual(read.values.draftMax, 8);
 * strictEqual(read.values.draftPMin, 0.75);
 * ```
 */
export function draftOptionRows(commands: readonly Command[]): OptionSpec[] {
  const row = optionRow(commands);
  return [
    row(
      "modelDraft",
      "-md, --model-draft, --spec-draft-model",
      "string FILE",
      undefined,
      "draft model for speculative decoding (same vocabulary as -m)",
    ),
    row(
      "draftMax",
      "--draft-max, --draft, --draft-n, --spec-draft-n-max",
      "int N",
      DEFAULT_DRAFT_MAX,
      "tokens to draft per step at most",
      {
        check: {
          ok: (v) => v >= 1 && v <= DRAFT_MAX_LIMIT,
          expect: `an integer in [1, ${DRAFT_MAX_LIMIT}]`,
        },
      },
    ),
    row(
      "draftMin",
      "--draft-min, --draft-n-min, --spec-draft-n-min",
      "int N",
      DEFAULT_DRAFT_MIN,
      "shorter drafts are not used",
      {
        check: {
          ok: (v) => v >= 0 && v <= DRAFT_MAX_LIMIT,
          expect: `an integer in [0, ${DRAFT_MAX_LIMIT}]`,
        },
      },
    ),
    row(
      "draftPMin",
      "--draft-p-min, --spec-draft-p-min",
      "number P",
      DEFAULT_DRAFT_P_MIN,
      "stop drafting below this top-token probability",
      { check: { ok: (v) => v >= 0 && v <= 1, expect: "a number in [0, 1]" } },
    ),
    row(
      "nGpuLayersDraft",
      "-ngld, --gpu-layers-draft, --n-gpu-layers-draft, --spec-draft-ngl",
      "int N",
      -1,
      "draft model layers on GPU; -1 = all",
      { check: { ok: (v) => v >= -1, expect: "an integer >= -1" } },
    ),
  ];
}

/**
 * Checks what one flag's range cannot: `--draft-min` at most `--draft-max`.
 *
 * @throws {RangeError} naming both flags.
 */
export function checkDraftFlags(flags: DraftFlags): void {
  if (flags.draftMin > flags.draftMax) {
    throw new RangeError(
      `Cannot use --draft-min ${flags.draftMin}: it must be at most --draft-max (${flags.draftMax})`,
    );
  }
}

/** The draft model the flags named, and the context option that uses it; `using` frees it. */
export interface LoadedDraft extends Disposable {
  /** The draft model, on the target's engine. */
  readonly model: Model;
  /** `createContext({ draft })`'s value. */
  readonly options: DraftOptions;
}

/**
 * Loads the draft model `-md` names on `target`'s engine (with `-ngld` GPU layers);
 * undefined without `-md`. Dispose it after the contexts that use it (declare it with
 * `using` before them).
 *
 * @throws {RangeError} for `--draft-min` above `--draft-max`.
 * @throws {ModelNotFoundError}, {GgufError} or {ModelLoadError} for the draft file.
 */
export async function loadDraftFlags(
  target: Model,
  flags: DraftFlags,
  options: LoadModelOptions = {},
): Promise<LoadedDraft | undefined> {
  if (flags.modelDraft === undefined) return undefined;
  checkDraftFlags(flags);
  const model = await loadModel(flags.modelDraft, {
    ...options,
    engine: target.engine,
    nGpuLayers: flags.nGpuLayersDraft,
  });
  return {
    model,
    options: { model, nMax: flags.draftMax, nMin: flags.draftMin, pMin: flags.draftPMin },
    [Symbol.dispose]: () => model.dispose(),
  };
}
