/**
 * A `llama_context` in the engine Worker, with its persistent CPU threadpool, its
 * abort flag and the tokens each sequence holds in the KV cache. Owns one context
 * handle and one threadpool, freed once by {@link NativeContext.free}.
 *
 * @module
 */
import { StructBuffer } from "../../ffi/layout.ts";
import { llama_context_params } from "../../ffi/structs.ts";
import { EngineError } from "../errors.ts";
import { isAborted } from "../protocol.ts";
import type { ContextInfo } from "../types.ts";
import { Batch } from "./batch.ts";
import type { NativeModel } from "./native_model.ts";

/** Context options after validation; see engine/context_options.ts. */
export interface NativeContextOptions {
  nCtx: number;
  nBatch: number;
  nUbatch: number;
  nThreads: number;
  nSeqMax: number;
  /** One KV pool all sequences share (llama.cpp's kv_unified); else nCtx / nSeqMax each. */
  kvUnified: boolean;
  flashAttn: "auto" | boolean;
  typeK: number;
  typeV: number;
  embeddings: boolean;
}

/** `llama_decode` outcome, translated once here (llama.h lists the codes). */
export type DecodeOutcome = "ok" | "aborted";

/** A context owned by the Worker. */
export class NativeContext {
  readonly model: NativeModel;
  readonly info: ContextInfo;
  readonly batch: Batch;
  /** Tokens in the KV cache per seq_id, in position order. */
  readonly cached: number[][];
  readonly #abortFlags: Int32Array;
  readonly #abortIndex: number;
  readonly #abortCallback: Deno.UnsafeCallback<{
    readonly parameters: readonly ["pointer"];
    readonly result: "bool";
  }>;
  #abortValue = 0;
  #abortable = false;
  #ctx: Deno.PointerObject | null;
  #loraKey = "";
  /** The adapters applied, by Worker id, with their (non-zero) scales. */
  loras: { loraId: number; scale: number }[] = [];
  #threadpool: Deno.PointerObject | null;
  readonly #ownsThreadpool: boolean;

  /**
   * @param abortFlags shared with the main thread: the generation whose serial is
   *   stored at `abortIndex` stops at the next graph node.
   * @param shareWith a context whose threadpool this one uses instead of its own (a
   *   draft beside its target: two pools would spin against each other for the same
   *   cores). It must be freed before that context.
   * @throws {EngineError} with llama.cpp's reason when the context cannot be made.
   */
  constructor(
    model: NativeModel,
    options: NativeContextOptions,
    abortFlags: Int32Array,
    abortIndex: number,
    shareWith?: NativeContext,
  ) {
    const { llama, log } = model.libs;
    this.model = model;
    this.#abortFlags = abortFlags;
    this.#abortIndex = abortIndex;
    const params = new StructBuffer(
      llama_context_params,
      new Uint8Array(llama.llama_context_default_params() as Uint8Array<ArrayBuffer>),
    );
    params
      .set("n_ctx", options.nCtx)
      .set("n_batch", options.nBatch)
      .set("n_ubatch", options.nUbatch)
      .set("n_seq_max", options.nSeqMax)
      .set("kv_unified", options.kvUnified)
      .set("n_threads", options.nThreads)
      .set("n_threads_batch", options.nThreads)
      .set("flash_attn_type", options.flashAttn === "auto" ? -1 : options.flashAttn ? 1 : 0)
      .set("type_k", options.typeK)
      .set("type_v", options.typeV)
      .set("embeddings", options.embeddings)
      .set("no_perf", true);
    const mark = log.mark();
    const ctx = llama.llama_init_from_model(model.pointer, params.bytes);
    if (ctx === null) throw new EngineError(`Cannot create context: ${log.reason(mark)}`);
    this.#ctx = ctx;
    // ggml calls this once per graph node from the decoding thread (ith 0), so it
    // runs synchronously here; it only reads a shared flag.
    this.#abortCallback = new Deno.UnsafeCallback(
      { parameters: ["pointer"], result: "bool" } as const,
      () => isAborted(Atomics.load(this.#abortFlags, this.#abortIndex), this.#abortValue),
    );
    this.#setAbortable(true);
    this.#ownsThreadpool = shareWith === undefined;
    try {
      this.#threadpool = shareWith
        ? shareWith.#threadpool
        : model.libs.newThreadpool(options.nThreads);
      if (this.#threadpool === null) {
        throw new EngineError("Cannot share the threadpool of a freed context");
      }
    } catch (error) {
      llama.llama_free(ctx);
      this.#abortCallback.close();
      throw error;
    }
    llama.llama_attach_threadpool(ctx, this.#threadpool, null);
    this.info = {
      nCtx: llama.llama_n_ctx(ctx),
      nCtxSeq: llama.llama_n_ctx_seq(ctx),
      nBatch: llama.llama_n_batch(ctx),
      nUbatch: llama.llama_n_ubatch(ctx),
      nSeqMax: llama.llama_n_seq_max(ctx),
      nThreads: options.nThreads,
      kvCacheBytes: 0,
      computeBytes: 0,
    };
    for (const line of log.since(mark)) {
      // llama.cpp reports each KV cache it makes ("llama_kv_cache: size = 0.16 MiB (...)");
      // models with sliding-window layers make two.
      const found = /llama_kv_cache: size =\s*([\d.]+) MiB/.exec(line.text);
      if (found) this.info.kvCacheBytes += Math.round(Number(found[1]) * 1024 * 1024);
      const compute = /compute buffer size =\s*([\d.]+) MiB/.exec(line.text);
      if (compute) this.info.computeBytes += Math.round(Number(compute[1]) * 1024 * 1024);
    }
    this.batch = new Batch(this.info.nBatch);
    this.canCopy = !llama.llama_model_is_recurrent(model.pointer) &&
      !llama.llama_model_is_hybrid(model.pointer);
    this.cached = Array.from({ length: this.info.nSeqMax }, () => []);
  }

  /** The context handle. @throws {EngineError} after {@link free}. */
  get pointer(): Deno.PointerObject {
    if (this.#ctx === null) throw new EngineError("Cannot use a freed context");
    return this.#ctx;
  }

  /**
   * Whether decodes check the abort flag at every graph node. ggml calls the callback
   * about 90 times per token of a small model, and each call crosses from C into JS:
   * measurable per token. So prompt batches (long, worth stopping midway) run with it
   * and single-token steps without, stopping between tokens instead.
   */
  setAbortable(on: boolean): void {
    if (on !== this.#abortable) this.#setAbortable(on);
  }

  #setAbortable(on: boolean): void {
    const pointer = on ? this.#abortCallback.pointer : null;
    this.model.libs.llama.llama_set_abort_callback(this.pointer, pointer, null);
    this.#abortable = on;
  }

  /** Arms the abort flag for generation `serial` (0 disarms). */
  armAbort(serial: number): void {
    this.#abortValue = serial;
  }

  /** Whether the main thread asked the armed generation to stop. */
  abortRequested(): boolean {
    return isAborted(Atomics.load(this.#abortFlags, this.#abortIndex), this.#abortValue);
  }

  /**
   * Decodes the batch, or only the token `single` on sequence 0 at the next position
   * (see {@link Batch.single}).
   *
   * @throws {EngineError} for every failure code of `llama_decode` but abort.
   */
  decode(single?: number): DecodeOutcome {
    const batch = single === undefined ? this.batch.struct() : this.batch.single(single);
    const rc = this.model.libs.llama.llama_decode(this.pointer, batch);
    if (rc === 0) return "ok";
    if (rc === 2) return "aborted";
    if (rc === 1) {
      throw new EngineError(
        `Cannot decode batch: no KV cache slot at n_ctx ${this.info.nCtx}; lower n_batch or raise n_ctx`,
      );
    }
    throw new EngineError(`Cannot decode batch: llama_decode returned ${rc}`);
  }

  /**
   * Drops the KV cache of `seqId` from position `from` on, keeping `cached` in step.
   * Returns the number of tokens kept (0 when the memory cannot drop a suffix, as
   * recurrent models cannot: then the whole sequence is cleared).
   */
  truncate(seqId: number, from: number): number {
    const { llama } = this.model.libs;
    const memory = llama.llama_get_memory(this.pointer);
    const cache = this.cached[seqId];
    if (!llama.llama_memory_seq_rm(memory, seqId, from, -1)) {
      llama.llama_memory_seq_rm(memory, seqId, -1, -1);
      from = 0;
    }
    cache.length = Math.min(cache.length, from);
    return cache.length;
  }

  /**
   * Whether {@link copy} can share a prefix between sequences: not for recurrent or
   * hybrid models, whose memory holds one state per sequence at its last position and
   * cannot be cut back to a prefix.
   */
  readonly canCopy: boolean;

  /**
   * Makes sequence `dst` hold the first `length` tokens of sequence `src`'s KV cache
   * (positions 0 to length - 1, as they are in `src`), dropping what `dst` held;
   * `cached` is kept in step. Returns the tokens `dst` now holds: `length`, or 0 when
   * the memory could not give exactly that prefix (then `dst` is empty and its prompt
   * is decoded instead).
   *
   * llama.cpp (src/llama-kv-cache.cpp, `seq_cp`): in one KV stream (kv_unified) the copy
   * only tags `src`'s cells with `dst`; across streams (one per sequence) it copies the
   * whole stream buffer at the start of the next `llama_decode`, before that batch is
   * written, and takes only whole-range copies (p0, p1 = -1). So the whole sequence is
   * copied and `dst` is then cut back to `length`. A sliding-window cache that dropped
   * early positions fails the position check below and is decoded instead.
   */
  copy(src: number, dst: number, length: number): number {
    const { llama } = this.model.libs;
    const memory = llama.llama_get_memory(this.pointer);
    llama.llama_memory_seq_rm(memory, dst, -1, -1);
    this.cached[dst].length = 0;
    if (src === dst || length <= 0 || length > this.cached[src].length || !this.canCopy) return 0;
    llama.llama_memory_seq_cp(memory, src, dst, -1, -1);
    if (
      !llama.llama_memory_seq_rm(memory, dst, length, -1) ||
      llama.llama_memory_seq_pos_min(memory, dst) !== 0 ||
      llama.llama_memory_seq_pos_max(memory, dst) !== length - 1
    ) {
      llama.llama_memory_seq_rm(memory, dst, -1, -1);
      return 0;
    }
    const source = this.cached[src];
    for (let i = 0; i < length; i++) this.cached[dst].push(source[i]);
    return length;
  }

  /**
   * Applies LoRA adapters loaded on this context's model (by Worker id) in place of
   * the current set. A different set empties the KV cache: what it holds was computed
   * with the old weights, so no prefix of it may be reused. Returns whether the set
   * changed.
   *
   * @throws {EngineError} for an adapter the model does not hold (freed).
   */
  setLoras(loras: readonly { loraId: number; scale: number }[]): boolean {
    const on = loras.filter((l) => Math.fround(l.scale) !== 0);
    const key = on.map((l) => `${l.loraId}:${Math.fround(l.scale)}`).sort().join(",");
    if (key === this.#loraKey) return false;
    const pointers = new BigUint64Array(on.length);
    const scales = new Float32Array(on.length);
    on.forEach((l, i) => {
      pointers[i] = BigInt(Deno.UnsafePointer.value(this.model.lora(l.loraId)));
      scales[i] = l.scale;
    });
    const n = on.length;
    this.model.libs.llama.llama_set_adapters_lora(
      this.pointer,
      n ? pointers : null,
      BigInt(n),
      n ? scales : null,
    );
    this.#loraKey = key;
    this.loras = on.map(({ loraId, scale }) => ({ loraId, scale }));
    this.clear();
    return true;
  }

  /** Empties the whole KV cache (`data`: also zero its buffers). */
  clear(data = false): void {
    const { llama } = this.model.libs;
    llama.llama_memory_clear(llama.llama_get_memory(this.pointer), data);
    for (const cache of this.cached) cache.length = 0;
  }

  /** Frees the context, then its threadpool. Later calls do nothing. */
  free(): void {
    if (this.#ctx === null) return;
    const { llama } = this.model.libs;
    llama.llama_free(this.#ctx);
    this.#ctx = null;
    if (this.#threadpool !== null && this.#ownsThreadpool) {
      this.model.libs.freeThreadpool(this.#threadpool);
    }
    this.#threadpool = null;
    this.#abortCallback.close();
  }
}
