/**
 * The engine Worker: the only thread that calls into llama.cpp. It makes blocking
 * FFI calls on its own OS thread, so the main thread's event loop never waits on a
 * decode. It owns every native handle and frees children before parents.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { NativeLibraries } from "../../ffi/library.ts";
import { EngineError, RpcWorkerError } from "../errors.ts";
import { addRpcServers } from "../../ffi/rpc_backend.ts";
import {
  isAborted,
  POSTED_INDEX,
  type Reply,
  type Request,
  type Requests,
  type SerializedError,
} from "../protocol.ts";
import { NativeModel } from "./native_model.ts";
import { NativeContext } from "./native_context.ts";
import { NativeSampler } from "./native_sampler.ts";
import { runGeneration } from "./generate_loop.ts";
import { checkDraftVocab } from "./draft_check.ts";
import type { DraftRunner } from "./speculative_loop.ts";
import { samplerChain } from "../sampling.ts";
import { preparePrompt } from "./prompt.ts";
import { embedTexts } from "./embed.ts";
import { runBench } from "./bench.ts";
import { probeMemory } from "./memory_probe.ts";
import { ServeLoop } from "./serve_loop.ts";
import { Arrivals } from "./arrivals.ts";
import type { EngineInfo } from "../types.ts";
import { HeartbeatWriter } from "../heartbeat.ts";
import { MtmdLibrary } from "../../ffi/mtmd_library.ts";
import { mtmdCounts, NativeMtmd } from "./native_mtmd.ts";
import type { PreparedPrompt } from "./prompt.ts";

/** A context, its model, its serve loop and its draft (a context on the draft model). */
interface ContextEntry {
  ctx: NativeContext;
  modelId: number;
  serve?: ServeLoop;
  draft?: DraftRunner & { modelId: number };
}

interface State {
  libs: NativeLibraries;
  abortFlags: Int32Array;
  models: Map<number, NativeModel>;
  contexts: Map<number, ContextEntry>;
  samplers: Map<number, { sampler: NativeSampler; modelId: number }>;
  /** The model of each adapter (the model holds its handle). */
  loras: Map<number, number>;
  /** libmtmd, opened at the first mmproj load. */
  mtmd?: MtmdLibrary;
  nextId: number;
}

let state: State | undefined;

function live(): State {
  if (!state) throw new EngineError("Cannot run: the engine is not initialised");
  return state;
}

function model(id: number): NativeModel {
  const found = live().models.get(id);
  if (!found) throw new EngineError(`Cannot find model ${id}: it was freed`);
  return found;
}

function context(id: number): NativeContext {
  const found = live().contexts.get(id);
  if (!found) throw new EngineError(`Cannot find context ${id}: it was freed`);
  return found.ctx;
}

// A handler may answer later (a served request ends after many steps): messages that
// arrive meanwhile run between the scheduler's steps.
type Handler<K extends keyof Requests> = (args: Requests[K], id: number) => unknown;

const handlers: { [K in keyof Requests]: Handler<K> } = {
  init(args): EngineInfo {
    const libs = new NativeLibraries(args.dir, args.preloadDirs, args.echoLevel);
    try {
      addRpcServers(libs, args.rpcServers ?? [], args.rpcLibDirs ?? []);
    } catch (error) {
      libs.close();
      throw new RpcWorkerError("", "unsupported", (error as Error).message, { cause: error });
    }
    state = {
      libs,
      abortFlags: new Int32Array(args.abortFlags),
      models: new Map(),
      contexts: new Map(),
      samplers: new Map(),
      loras: new Map(),
      nextId: 1,
    };
    return {
      libDir: args.dir,
      variant: args.variant,
      devices: libs.devices(),
      systemInfo: libs.systemInfo(),
    };
  },

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
    const s = live();
    const found = s.models.get(modelId);
    if (!found) return;
    for (const [ctxId, entry] of s.contexts) {
      if (entry.modelId === modelId) await handlers.freeContext({ ctxId }, 0);
      else if (entry.draft?.modelId === modelId) {
        // A context whose draft model goes on alone.
        entry.draft.ctx.free();
        entry.draft = undefined;
      }
    }
    for (const [samplerId, entry] of s.samplers) {
      if (entry.modelId === modelId) handlers.freeSampler({ samplerId }, 0);
    }
    for (const [loraId, owner] of s.loras) if (owner === modelId) s.loras.delete(loraId);
    found.free();
    s.models.delete(modelId);
  },

  createContext(args) {
    const s = live();
    const m = model(args.modelId);
    if (m.info.vocabOnly) {
      throw new EngineError("Cannot create a context: the model was loaded with vocabOnly");
    }
    const d = args.draft ? model(args.draft.modelId) : undefined;
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
    const s = live();
    const entry = s.contexts.get(ctxId);
    if (!entry) return;
    s.contexts.delete(ctxId);
    // A serving context frees only after its loop stops touching it.
    await entry.serve?.close();
    // The draft first: it runs on the target's threadpool.
    entry.draft?.ctx.free();
    entry.ctx.free();
  },

  loadLora({ modelId, path }) {
    const s = live();
    const loraId = s.nextId++;
    model(modelId).loadLora(loraId, path);
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
    model(modelId).freeLora(loraId);
  },

  loadMmproj({ modelId, path, nThreads }) {
    const s = live();
    const m = model(modelId);
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
    const m = model(modelId);
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

  setLoras({ ctxId, loras }) {
    const entry = live().contexts.get(ctxId);
    if (!entry) throw new EngineError(`Cannot find context ${ctxId}: it was freed`);
    if (entry.serve) {
      throw new EngineError("Cannot set adapters on a serving context: give them per request");
    }
    entry.ctx.setLoras(loras);
  },

  serveOpen({ ctxId, queueLimit, heartbeat, heartbeatBase, prefixSharing }) {
    const entry = live().contexts.get(ctxId);
    if (!entry) throw new EngineError(`Cannot find context ${ctxId}: it was freed`);
    const flags = live().abortFlags;
    if (entry.serve) return;
    entry.serve = new ServeLoop(
      entry.ctx,
      queueLimit,
      () => Atomics.load(flags, POSTED_INDEX) !== received,
      new HeartbeatWriter(heartbeat, heartbeatBase),
      prefixSharing ?? true,
      entry.draft ? () => entry.draft : undefined,
      arrivals,
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

  tokenize(args) {
    return Array.from(model(args.modelId).tokenize(args.text, args.addSpecial, args.parseSpecial));
  },

  detokenize(args) {
    const m = model(args.modelId);
    checkTokens(args.tokens, m.info.nVocab);
    return m.detokenize(Int32Array.from(args.tokens), args.removeSpecial, args.unparseSpecial);
  },

  applyTemplate(args) {
    const m = model(args.modelId);
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

  createSampler(args) {
    const s = live();
    const m = model(args.modelId);
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
    const s = live();
    s.samplers.get(samplerId)?.sampler.free();
    s.samplers.delete(samplerId);
  },

  generate(args, id) {
    const s = live();
    const ctx = context(args.ctxId);
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
    return [...(context(ctxId).cached[seqId] ?? [])];
  },

  clearSequence({ ctxId, seqId }) {
    context(ctxId).truncate(seqId, 0);
  },

  embed(args) {
    return embedTexts(model(args.modelId), args.texts, args.normalize, args.nThreads);
  },

  probeMemory(args) {
    const s = live();
    return { probe: probeMemory(s.libs, args.path, args), devices: s.libs.devices() };
  },

  devices() {
    return live().libs.devices();
  },

  bench(args) {
    return runBench(context(args.ctxId), args);
  },

  async shutdown() {
    const s = state;
    if (!s) return;
    for (const modelId of [...s.models.keys()]) await handlers.freeModel({ modelId }, 0);
    s.mtmd?.close();
    s.libs.close();
    state = undefined;
  },
};

function checkTokens(tokens: readonly number[], nVocab: number): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!Number.isInteger(t) || t < 0 || t >= nVocab) {
      throw new RangeError(`tokens[${i}] must be a token id in [0, ${nVocab}), got ${t}`);
    }
  }
}

function serialize(error: unknown): SerializedError {
  if (!(error instanceof Error)) {
    return { name: "Error", message: String(error), fields: {} };
  }
  const fields: Record<string, unknown> = {};
  for (
    const key of [
      "nPromptTokens",
      "nCtx",
      "path",
      "resource",
      "queued",
      "retryAfterSeconds",
      "endpoint",
      "failure",
      "dir",
    ]
  ) {
    if (key in error) fields[key] = (error as unknown as Record<string, unknown>)[key];
  }
  return { name: error.name, message: error.message, fields };
}

function post(reply: Reply): void {
  self.postMessage(reply);
}

async function run(request: Request): Promise<void> {
  const { id, op, args } = request;
  try {
    const handler = handlers[op] as Handler<typeof op>;
    post({ id, result: await handler(args as never, id) });
  } catch (error) {
    post({ id, error: serialize(error) });
  }
  if (op === "shutdown") self.close();
}

// Requests run one after another, so a free never overtakes the work sent before it,
// except served requests and their cancels: those end after many scheduler steps, and
// other requests run between the steps; and the device memory reading, which touches no
// model or context and must not wait behind a load or a long generation.
let queue = Promise.resolve();
/** Requests received; the main thread counts those it posted at POSTED_INDEX. */
let received = 0;
/** Serve loops waiting for a request to come in (see ServeLoop's yield). */
const arrivals = new Arrivals();
self.onmessage = (event: MessageEvent<Request>) => {
  received++;
  const request = event.data;
  if (request.op === "serveSubmit" || request.op === "serveCancel" || request.op === "devices") {
    void run(request);
  } else queue = queue.then(() => run(request));
  arrivals.arrived();
};
