/**
 * The engine Worker's handlers for contexts and samplers: making and freeing them (a
 * context with its draft context), adapters on a context, a context's sequences,
 * direct generation (not served) and bench runs.
 *
 * @module
 */
import { EngineError } from "../errors.ts";
import { samplerChain } from "../sampling.ts";
import { runBench } from "./bench.ts";
import { checkDraftVocab } from "./draft_check.ts";
import { runGeneration } from "./generate_loop.ts";
import { NativeContext } from "./native_context.ts";
import { NativeSampler } from "./native_sampler.ts";
import { type PreparedPrompt, preparePrompt } from "./prompt.ts";
import { checkTokens } from "./token_ids.ts";
import type { ContextEntry, Handlers, WorkerEnv, WorkerState } from "./worker_state.ts";

/** Frees a context (after its serve loop stops) and its draft; an unknown id is a no-op. */
export async function freeContext(s: WorkerState, ctxId: number): Promise<void> {
  const entry = s.contexts.get(ctxId);
  if (!entry) return;
  s.contexts.delete(ctxId);
  // A serving context frees only after its loop stops touching it.
  await entry.serve?.close();
  // The draft first: it runs on the target's threadpool.
  entry.draft?.ctx.free();
  entry.ctx.free();
}

/** Frees a sampler; an unknown id is a no-op. */
export function freeSampler(s: WorkerState, samplerId: number): void {
  s.samplers.get(samplerId)?.sampler.free();
  s.samplers.delete(samplerId);
}

/** The handlers of contexts, samplers, direct generation and bench runs. */
export function contextOps(env: WorkerEnv): Pick<
  Handlers,
  | "createContext"
  | "freeContext"
  | "setLoras"
  | "createSampler"
  | "freeSampler"
  | "generate"
  | "sequenceTokens"
  | "clearSequence"
  | "bench"
> {
  const { live, post } = env;
  return {
    createContext(args) {
      const s = live();
      const m = s.model(args.modelId);
      if (m.info.vocabOnly) {
        throw new EngineError("Cannot create a context: the model was loaded with vocabOnly");
      }
      const d = args.draft ? s.model(args.draft.modelId) : undefined;
      if (d) checkDraftVocab(m, d);
      const ctx = new NativeContext(m, args, s.abortFlags, args.abortSlot);
      let draft: ContextEntry["draft"];
      if (args.draft && d) {
        try {
          // Same sizes as the target (the draft holds the same tokens at the same
          // positions) and the target's threadpool.
          const dctx = new NativeContext(d, args, s.abortFlags, args.abortSlot, ctx);
          // Draft steps are single tokens; the target's abort check between steps suffices.
          dctx.setAbortable(false);
          draft = { ...args.draft, ctx: dctx };
        } catch (error) {
          ctx.free();
          throw error;
        }
      }
      const ctxId = s.nextId++;
      s.contexts.set(ctxId, { ctx, modelId: args.modelId, draft });
      return { ctxId, info: ctx.info };
    },

    async freeContext({ ctxId }) {
      await freeContext(live(), ctxId);
    },

    setLoras({ ctxId, loras }) {
      const entry = live().contexts.get(ctxId);
      if (!entry) throw new EngineError(`Cannot find context ${ctxId}: it was freed`);
      if (entry.serve) {
        throw new EngineError("Cannot set adapters on a serving context: give them per request");
      }
      entry.ctx.setLoras(loras);
    },

    createSampler(args) {
      const s = live();
      const m = s.model(args.modelId);
      const sampler = new NativeSampler(
        s.libs.llama,
        m.vocab,
        m.info.nVocab,
        args.nCtx,
        samplerChain(args.sampling),
        s.libs.log,
      );
      const samplerId = s.nextId++;
      s.samplers.set(samplerId, { sampler, modelId: args.modelId });
      return samplerId;
    },

    freeSampler({ samplerId }) {
      freeSampler(live(), samplerId);
    },

    generate(args, id) {
      const s = live();
      const ctx = s.context(args.ctxId);
      const draft = s.contexts.get(args.ctxId)?.draft;
      if (s.contexts.get(args.ctxId)?.serve) {
        throw new EngineError("Cannot generate directly on a serving context: submit to it");
      }
      const m = ctx.model;
      if (args.seqId < 0 || args.seqId >= ctx.info.nSeqMax) {
        throw new RangeError(`seqId must be in [0, ${ctx.info.nSeqMax}), got ${args.seqId}`);
      }
      if ("tokens" in args.prompt) checkTokens(args.prompt.tokens, m.info.nVocab);
      let sampler: NativeSampler;
      let owned = false;
      if ("samplerId" in args.sampling) {
        const entry = s.samplers.get(args.sampling.samplerId);
        if (!entry) throw new EngineError(`Cannot find sampler ${args.sampling.samplerId}`);
        sampler = entry.sampler;
      } else {
        sampler = new NativeSampler(
          s.libs.llama,
          m.vocab,
          m.info.nVocab,
          ctx.info.nCtxSeq,
          samplerChain(args.sampling),
          s.libs.log,
        );
        owned = true;
      }
      let prompt: PreparedPrompt | undefined;
      try {
        prompt = preparePrompt(m, args.prompt, ctx.info.nCtxSeq, true);
        const result = runGeneration(ctx, {
          seqId: args.seqId,
          prompt: prompt.tokens,
          sampler,
          maxTokens: args.maxTokens,
          stop: args.stop,
          serial: args.serial,
          special: args.special,
          draft,
          media: prompt.media,
        }, (pieces) => post({ id, pieces }));
        result.droppedMessages = prompt.droppedMessages;
        if (prompt.truncation) result.truncation = prompt.truncation;
        return result;
      } finally {
        prompt?.media?.free();
        if (owned) sampler.free();
      }
    },

    sequenceTokens({ ctxId, seqId }) {
      return [...(live().context(ctxId).cached[seqId] ?? [])];
    },

    clearSequence({ ctxId, seqId }) {
      live().context(ctxId).truncate(seqId, 0);
    },

    bench(args) {
      return runBench(live().context(args.ctxId), args);
    },
  };
}
