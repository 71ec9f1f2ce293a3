/**
 * The model host's serving context, made with the draft model (speculative decoding)
 * the load options name when it can draft for the model, else without it, the reason
 * kept for the UI: a draft that does not load is no failure of the load.
 *
 * @module
 */
import { DraftModelError } from "../engine/errors.ts";
import type { LoadVerdicts } from "../engine/load_verdicts.ts";
import { loadModel, type Model } from "../engine/model.ts";
import { createServingContext, type ServingContext } from "../engine/serving.ts";
import type { EngineLoadOptions } from "./engine_load_options.ts";

/** The serving context's options without a draft (`createServingContext`'s). */
export type ServingOptions = Parameters<typeof createServingContext>[1];

/** A serving context, the draft model it drafts with (the caller owns it), and why none. */
export interface DraftServing {
  serving: ServingContext;
  draftModel: Model | undefined;
  /** Why the context runs without the draft the options name, for the UI; null otherwise. */
  error: string | null;
}

/**
 * The serving context on `model`, with the draft model the load options name when it can
 * draft for it. A draft that does not load or whose vocabulary differs
 * ({@link DraftModelError}) is no failure of the load: the context is made without it and
 * the reason returned. The caller owns the draft model returned.
 *
 * @param verdicts the child-process load verdicts the draft loads with
 * @throws what createServingContext throws without a draft, and the signal's reason.
 */
export async function servingWithDraft(
  model: Model,
  contextOptions: ServingOptions,
  options: EngineLoadOptions,
  verdicts: LoadVerdicts | undefined,
  signal: AbortSignal,
): Promise<DraftServing> {
  if (!options.draft) {
    return {
      serving: await createServingContext(model, contextOptions),
      draftModel: undefined,
      error: null,
    };
  }
  const { path, ...limits } = options.draft;
  let draftModel: Model;
  try {
    draftModel = await loadModel(path, {
      engine: model.engine,
      loadVerdicts: verdicts,
      signal,
      ...options.model,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = `Cannot load "${path}" as the draft model: ${(error as Error).message}`;
    return await servingWithoutDraft(model, contextOptions, reason);
  }
  try {
    const serving = await createServingContext(model, {
      ...contextOptions,
      draft: { model: draftModel, ...limits },
    });
    return { serving, draftModel, error: null };
  } catch (error) {
    draftModel.dispose();
    if (!(error instanceof DraftModelError)) throw error;
    return await servingWithoutDraft(model, contextOptions, error.message);
  }
}

async function servingWithoutDraft(
  model: Model,
  contextOptions: ServingOptions,
  reason: string,
): Promise<DraftServing & { draftModel: undefined; error: string }> {
  const serving = await createServingContext(model, contextOptions);
  return {
    serving,
    draftModel: undefined,
    error: `${reason.replace(/\.$/, "")}. The model runs without it.`,
  };
}
