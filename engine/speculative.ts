/**
 * Speculative decoding options of a context (`model.createContext({ draft })`) and their
 * validation. The loop itself runs in the engine Worker
 * (engine/worker/speculative_loop.ts); the draft's vocabulary is checked there against
 * the target's, as llama.cpp does.
 *
 * @module
 */

/**
 * `--draft-max`: most tokens the draft proposes per step. llama.cpp's default before
 * its speculative types were split out (common/common.h `n_max = 16`; the pinned
 * source's `--spec-draft-n-max` defaults to 3).
 */
export const DEFAULT_DRAFT_MAX = 16;

/** `--draft-min`: a draft shorter than this is not verified (common/common.h `n_min = 0`). */
export const DEFAULT_DRAFT_MIN = 0;

/**
 * `--draft-p-min`: the draft stops proposing when its top token's probability (over its
 * 10 best tokens, as llama.cpp's draft sampler sees it) is below this. llama.cpp's
 * default before the split (`p_min = 0.75f`; the pinned source's is 0).
 */
export const DEFAULT_DRAFT_P_MIN = 0.75;

/** The model a draft runs, kept abstract to avoid a cycle (a Model). */
export interface DraftOwner {
  /** Whether the model was disposed. */
  readonly disposed: boolean;
  /** @internal The Worker's model id. */
  readonly _modelId: number;
  /** The engine the model lives in. */
  readonly engine: unknown;
  /** The model file. */
  readonly info: { readonly path: string };
}

/** Options of speculative decoding with a draft model. */
export interface DraftOptions {
  /**
   * A small model with the target's vocabulary, loaded on the same engine
   * (`loadModel(path, { engine: model.engine })`). The context does not own it: dispose
   * it yourself; disposing it first turns drafting off for the contexts that used it.
   */
  model: DraftOwner;
  /** Most tokens drafted per step; integer in [1, 512]. Default {@link DEFAULT_DRAFT_MAX}. */
  nMax?: number;
  /** Drafts shorter than this are dropped; integer in [0, nMax]. Default {@link DEFAULT_DRAFT_MIN}. */
  nMin?: number;
  /** Least top-token probability to keep drafting; in [0, 1]. Default {@link DEFAULT_DRAFT_P_MIN}. */
  pMin?: number;
}

/** Draft options as the Worker takes them. */
export interface ResolvedDraft {
  /** The draft model's Worker id. */
  modelId: number;
  nMax: number;
  nMin: number;
  pMin: number;
}

/** Largest `nMax` accepted: one verify batch holds nMax + 1 tokens. */
export const DRAFT_MAX_LIMIT = 512;

/**
 * Validates draft options for a context on `engine`.
 *
 * @throws {TypeError} for a missing model, one on another engine, or a wrong type.
 * @throws {RangeError} for nMax, nMin or pMin out of range, naming the option.
 * @throws {DisposedError} (from the model) for a disposed draft model.
 */
export function resolveDraft(options: DraftOptions, engine: unknown): ResolvedDraft {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("draft must be { model, nMax?, nMin?, pMin? }");
  }
  for (const key of Object.keys(options)) {
    if (!["model", "nMax", "nMin", "pMin"].includes(key)) {
      throw new TypeError(`Unknown draft option "${key}"`);
    }
  }
  const { model } = options;
  if (typeof model !== "object" || model === null || !("_modelId" in model)) {
    throw new TypeError("draft.model must be a Model from loadModel()");
  }
  if (model.engine !== engine) {
    throw new TypeError(
      "draft.model must be loaded on the target's engine: loadModel(path, { engine: model.engine })",
    );
  }
  const nMax = options.nMax ?? DEFAULT_DRAFT_MAX;
  if (!Number.isInteger(nMax) || nMax < 1 || nMax > DRAFT_MAX_LIMIT) {
    throw new RangeError(`draft.nMax must be an integer in [1, ${DRAFT_MAX_LIMIT}], got ${nMax}`);
  }
  const nMin = options.nMin ?? DEFAULT_DRAFT_MIN;
  if (!Number.isInteger(nMin) || nMin < 0 || nMin > nMax) {
    throw new RangeError(`draft.nMin must be an integer in [0, nMax = ${nMax}], got ${nMin}`);
  }
  const pMin = options.pMin ?? DEFAULT_DRAFT_P_MIN;
  if (typeof pMin !== "number" || !(pMin >= 0 && pMin <= 1)) {
    throw new RangeError(`draft.pMin must be a number in [0, 1], got ${pMin}`);
  }
  return { modelId: model._modelId, nMax, nMin, pMin };
}
