/**
 * The engine Worker's handlers for serving contexts: opening a context's serve loop
 * (continuous batching over its sequences), submitting a request to it, images
 * included, and cancelling one.
 *
 * @module
 */
import { EngineError } from "../errors.ts";
import { HeartbeatWriter } from "../heartbeat.ts";
import { POSTED_INDEX } from "../protocol.ts";
import { preparePrompt } from "./prompt.ts";
import { ServeLoop } from "./serve_loop.ts";
import { checkTokens } from "./token_ids.ts";
import type { Handlers, WorkerEnv } from "./worker_state.ts";

/** The handlers of serving contexts. */
export function serveOps(env: WorkerEnv): Pick<
  Handlers,
  "serveOpen" | "serveSubmit" | "serveCancel"
> {
  const { live, post } = env;
  return {
    serveOpen({ ctxId, queueLimit, heartbeat, heartbeatBase, prefixSharing }) {
      const entry = live().contexts.get(ctxId);
      if (!entry) throw new EngineError(`Cannot find context ${ctxId}: it was freed`);
      const flags = live().abortFlags;
      if (entry.serve) return;
      entry.serve = new ServeLoop(
        entry.ctx,
        queueLimit,
        () => Atomics.load(flags, POSTED_INDEX) !== env.received(),
        new HeartbeatWriter(heartbeat, heartbeatBase),
        prefixSharing ?? true,
        entry.draft ? () => entry.draft : undefined,
        env.arrivals,
      );
      // A unified KV cache (kv_unified) gives every sequence all n_ctx cells, shared.
      const { nCtx, nCtxSeq, nSeqMax } = entry.ctx.info;
      if (nSeqMax > 1 && nCtxSeq * nSeqMax > nCtx) entry.serve.scheduler.kvCells = nCtx;
    },

    async serveSubmit(args, id) {
      const entry = live().contexts.get(args.ctxId);
      if (!entry?.serve) throw new EngineError(`Context ${args.ctxId} is not serving`);
      const ctx = entry.ctx;
      if ("tokens" in args.prompt) checkTokens(args.prompt.tokens, ctx.model.info.nVocab);
      const prompt = preparePrompt(ctx.model, args.prompt, ctx.info.nCtxSeq, true);
      const media = prompt.media;
      // Freed however the request ends, a synchronous refusal (full queue) included.
      using _chunks = { [Symbol.dispose]: () => media?.free() };
      const result = await entry.serve.submit(args.key, {
        prompt: prompt.tokens,
        images: media && {
          spans: media.spans,
          decode(seqId, index) {
            const span = media.spans[index];
            if (!media.evalSpan(ctx, span, seqId)) throw new EngineError("Cannot decode: aborted");
            ctx.cached[seqId].push(...media.keys.subarray(span.start, span.end));
          },
        },
        sampling: args.sampling,
        maxTokens: args.maxTokens,
        stop: args.stop,
        special: args.special,
        loras: args.loras,
        onPieces: (pieces) => post({ id, pieces }),
        onStart: () => post({ id, started: true }),
      });
      result.droppedMessages = prompt.droppedMessages;
      if (prompt.truncation) result.truncation = prompt.truncation;
      return result;
    },

    serveCancel({ ctxId, key }) {
      live().contexts.get(ctxId)?.serve?.cancel(key);
    },
  };
}
