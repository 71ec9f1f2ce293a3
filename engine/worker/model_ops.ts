/**
 * The engine Worker's handlers for models and what hangs off them: loading and freeing
 * a model (its contexts, samplers and adapters first), LoRA adapters, the mmproj and
 * its image tokens, tokenizer, chat template, embeddings, and device memory.
 *
 * @module
 */
import { EngineError } from "../errors.ts";
import { isAborted } from "../protocol.ts";
import { MtmdLibrary } from "../../ffi/mtmd_library.ts";
import { freeContext, freeSampler } from "./context_ops.ts";
import { embedTexts } from "./embed.ts";
import { probeMemory } from "./memory_probe.ts";
import { NativeModel } from "./native_model.ts";
import { mtmdCounts, NativeMtmd } from "./native_mtmd.ts";
import { preparePrompt } from "./prompt.ts";
import { checkTokens } from "./token_ids.ts";
import type { Handlers, WorkerEnv, WorkerState } from "./worker_state.ts";

/**
 * Frees a model after its contexts, samplers and adapters; a context whose draft runs
 * on it goes on without the draft. An unknown id is a no-op.
 */
export async function freeModel(s: WorkerState, modelId: number): Promise<void> {
  const found = s.models.get(modelId);
  if (!found) return;
  for (const [ctxId, entry] of s.contexts) {
    if (entry.modelId === modelId) await freeContext(s, ctxId);
    else if (entry.draft?.modelId === modelId) {
      // A context whose draft model goes on alone.
      entry.draft.ctx.free();
      entry.draft = undefined;
    }
  }
  for (const [samplerId, entry] of s.samplers) {
    if (entry.modelId === modelId) freeSampler(s, samplerId);
  }
  for (const [loraId, owner] of s.loras) if (owner === modelId) s.loras.delete(loraId);
  found.free();
  s.models.delete(modelId);
}

/** The handlers of models, adapters, the mmproj, text and memory. */
export function modelOps(env: WorkerEnv): Pick<
  Handlers,
  | "loadModel"
  | "freeModel"
  | "loadLora"
  | "freeLora"
  | "loadMmproj"
  | "freeMmproj"
  | "tokenizeMedia"
  | "handleCounts"
  | "tokenize"
  | "detokenize"
  | "applyTemplate"
  | "embed"
  | "probeMemory"
  | "devices"
> {
  const { live, post } = env;
  return {
    loadModel(args, id) {
      const s = live();
      let lastPost = 0;
      const loaded = NativeModel.load(s.libs, args.path, args, (fraction) => {
        if (args.progress && (fraction === 1 || fraction - lastPost >= 0.01)) {
          lastPost = fraction;
          post({ id, progress: fraction });
        }
        return !isAborted(Atomics.load(s.abortFlags, 0), args.serial);
      });
      const modelId = s.nextId++;
      s.models.set(modelId, loaded);
      return { modelId, info: loaded.info };
    },

    async freeModel({ modelId }) {
      await freeModel(live(), modelId);
    },

    loadLora({ modelId, path }) {
      const s = live();
      const loraId = s.nextId++;
      s.model(modelId).loadLora(loraId, path);
      s.loras.set(loraId, modelId);
      return loraId;
    },

    freeLora({ loraId }) {
      const s = live();
      const modelId = s.loras.get(loraId);
      if (modelId === undefined) return;
      // A context must not keep a pointer to a freed adapter.
      for (const { ctx, serve } of s.contexts.values()) {
        if (!ctx.loras.some((l) => l.loraId === loraId)) continue;
        // Requests running with it cannot go on without it.
        serve?.scheduler.failAll(
          new EngineError(`Cannot go on: LoRA adapter ${loraId} was freed while in use`),
        );
        ctx.setLoras(ctx.loras.filter((l) => l.loraId !== loraId));
        serve?.scheduler.lorasChanged();
      }
      s.loras.delete(loraId);
      s.model(modelId).freeLora(loraId);
    },

    loadMmproj({ modelId, path, nThreads }) {
      const s = live();
      const m = s.model(modelId);
      if (m.mtmd) throw new EngineError("Cannot load an mmproj: the model has one; free it first");
      s.mtmd ??= new MtmdLibrary(s.libs);
      m.mtmd = new NativeMtmd(s.mtmd, m, path, nThreads);
      return m.mtmd.info;
    },

    async freeMmproj({ modelId }) {
      const s = live();
      const m = s.models.get(modelId);
      if (!m?.mtmd) return;
      // A served request may be between image chunks: stop what runs on this model first.
      for (const entry of s.contexts.values()) {
        if (entry.modelId !== modelId || !entry.serve) continue;
        entry.serve.scheduler.failAll(new EngineError("Cannot go on: the mmproj was freed"));
        await Promise.resolve();
      }
      m.mtmd.free();
      m.mtmd = undefined;
    },

    tokenizeMedia({ modelId, text, images, addSpecial }) {
      const m = live().model(modelId);
      if (!m.mtmd) throw new EngineError("Cannot tokenize images: the model has no mmproj");
      const media = m.mtmd.tokenize(text, images, addSpecial);
      try {
        return {
          chunks: media.chunkCount,
          positions: media.keys.length,
          images: media.spans.map((span) => ({
            start: span.start,
            end: span.end,
            nTokens: span.nTokens,
          })),
        };
      } finally {
        media.free();
      }
    },

    handleCounts() {
      return { mtmdLive: mtmdCounts.live, mtmdFreed: mtmdCounts.freed };
    },

    tokenize(args) {
      const m = live().model(args.modelId);
      return Array.from(m.tokenize(args.text, args.addSpecial, args.parseSpecial));
    },

    detokenize(args) {
      const m = live().model(args.modelId);
      checkTokens(args.tokens, m.info.nVocab);
      return m.detokenize(Int32Array.from(args.tokens), args.removeSpecial, args.unparseSpecial);
    },

    applyTemplate(args) {
      const m = live().model(args.modelId);
      return preparePrompt(
        m,
        {
          messages: args.messages,
          overflow: "error",
          templateVars: args.templateVars,
          chatTemplate: args.chatTemplate,
        },
        Infinity,
        args.addGenerationPrompt,
      ).text;
    },

    embed(args) {
      return embedTexts(live().model(args.modelId), args.texts, args.normalize, args.nThreads);
    },

    probeMemory(args) {
      const s = live();
      return { probe: probeMemory(s.libs, args.path, args), devices: s.libs.devices() };
    },

    devices() {
      return live().libs.devices();
    },
  };
}
