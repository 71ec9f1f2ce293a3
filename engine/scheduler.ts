/**
 * Continuous batching over the sequences of one context, as llama-server's slots do
 * (tools/server/server-context.cpp): every step decodes one batch holding the next
 * token of every generating slot plus prompt chunks of newly admitted requests, at
 * most n_batch tokens, generation first so prompts never starve it. A request takes
 * the free slot where its prompt keeps the most of the KV cache (shared prefix minus the
 * cached tokens it would throw away) and decodes only the rest: a chat's next turn finds
 * its own slot, and another chat takes an empty slot rather than evict it.
 *
 * Prompt prefixes are shared across slots: a request whose prompt begins with tokens
 * that another sequence holds (a busy slot, or an idle one that kept its last prompt)
 * copies them into its own sequence (`llama_memory_seq_cp`) and decodes only the rest.
 * Requests admitted while another still decodes a prompt with the same beginning (a
 * sheet's rows, all sharing instructions and examples) wait for it, then copy: the
 * shared prefix is decoded once. A copy is taken only when it saves at least
 * {@link MIN_COPY_TOKENS} tokens, is never longer than the prompt minus its last token
 * (whose logits are needed) nor than a sequence holds, and falls back to decoding when
 * the memory cannot copy (recurrent and hybrid models; see `Runner.copy`).
 *
 * LoRA adapters apply to a whole context, so one decode never mixes two adapter sets:
 * requests run in groups of one set. A request for another set waits until the running
 * group finishes, and requests behind it wait too (first come, first served, so no set
 * starves); then the scheduler switches the context's set and admits it.
 *
 * With a draft model (speculative decoding), a generating slot's step holds its last
 * token and up to n_max drafted tokens, all with logits; its sampler keeps the draft up
 * to the first token it did not sample itself, plus that token, and the rejected cells
 * are dropped (as llama-server's slots do). Emitted tokens are the target's samples, so
 * greedy output is the same with or without the draft.
 *
 * The scheduler never touches FFI: it drives a {@link Runner}, which the engine Worker
 * implements over a llama_context and tests implement with a fake.
 *
 * This class holds the queue, the slots and the step; its parts live beside it:
 * `serve_runner.ts` (the Runner), `serve_request.ts` (requests and handles), `slot.ts`
 * (a request's bookkeeping), `slot_admission.ts` (which free slot), `prefix_sharing.ts`
 * (kept, copied or awaited prefixes), `kv_pool.ts` (a shared pool's room),
 * `step_batch.ts` (one step's batch) and `slot_sampling.ts` (sampling with drafts).
 *
 * @module
 */
import { ContextOverflowError, QueueFullError } from "./errors.ts";
import { poolRoom } from "./kv_pool.ts";
import { FLUSH_INTERVAL_MS, OutputStream } from "./output_stream.ts";
import { planPrefix } from "./prefix_sharing.ts";
import type { ServeHandle, ServeRequest } from "./serve_request.ts";
import { loraKey, type Runner, type SlotSampler } from "./serve_runner.ts";
import { type Active, emptyResult, type Job, NO_DRAFT } from "./slot.ts";
import { pickSlot } from "./slot_admission.ts";
import { sampleSlot } from "./slot_sampling.ts";
import { batchGenerating, batchPrompts, type SlotEnds } from "./step_batch.ts";
import type { FinishReason, GenerationResult } from "./types.ts";

// The scheduler's types and helpers live beside it; their importers keep this path.
export { commonPrefix, MIN_COPY_TOKENS } from "./prefix_sharing.ts";
export type { PromptImages, ServeHandle, ServeRequest } from "./serve_request.ts";
export { loraKey, type LoraScale, type Runner, type SlotSampler } from "./serve_runner.ts";

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /** Requests that may wait for a slot; more get QueueFullError. Default 64. */
  queueLimit?: number;
  /** Milliseconds clock; default performance.now. */
  now?: () => number;
  /**
   * Pieces are posted at most this often per request, in milliseconds (the first at
   * once, for TTFT). Default {@link FLUSH_INTERVAL_MS} (33).
   */
  flushIntervalMs?: number;
  /**
   * Cells of a KV pool every sequence shares (llama.cpp's kv_unified): the sum of all
   * sequences' cached tokens must stay within it. Default Infinity: each sequence has
   * its own `nCtxSeq` cells and cannot crowd the others out.
   */
  kvCells?: number;
  /**
   * Whether requests copy prompt prefixes other sequences hold instead of decoding them
   * (when the runner can copy). Outputs are the same either way. Default true.
   */
  prefixSharing?: boolean;
}

/** Serves requests on the sequences of one context. */
export class Scheduler {
  readonly #runner: Runner;
  readonly #queue: Job[] = [];
  readonly #slots: (Active | undefined)[];
  readonly #lastUsed: number[];
  readonly #queueLimit: number;
  readonly #now: () => number;
  readonly #flushMs: number;
  readonly #sharing: boolean;
  /** Sequences copied from in this step: no request is admitted into them meanwhile. */
  readonly #copiedFrom = new Set<number>();
  #tick = 0;
  /** How batch building ends requests. */
  readonly #ends: SlotEnds = {
    finish: (slot, reason) => this.#finish(slot, reason),
    fail: (slot, error) => this.#fail(slot, error),
  };
  /** The key of the adapter set the runner has applied. */
  #loraKey = "";
  /**
   * Cells of the KV pool all sequences share, or Infinity when each has its own; see
   * {@link SchedulerOptions.kvCells}. The engine Worker sets it from its context.
   */
  kvCells: number;

  /**
   * Serves on `runner`'s sequences.
   *
   * @throws {RangeError} when n_parallel (`runner.nSeqMax`) exceeds n_batch: every
   *   generating slot adds a token to each step's batch.
   */
  constructor(runner: Runner, options: SchedulerOptions = {}) {
    if (runner.nSeqMax > runner.nBatch) {
      throw new RangeError(
        `Cannot schedule ${runner.nSeqMax} slots (n_parallel) on n_batch ${runner.nBatch}: ` +
          `each step decodes one token per generating slot; raise n_batch or lower n_parallel`,
      );
    }
    this.#runner = runner;
    this.#slots = new Array(runner.nSeqMax).fill(undefined);
    this.#lastUsed = new Array(runner.nSeqMax).fill(0);
    this.#queueLimit = options.queueLimit ?? 64;
    this.#now = options.now ?? (() => performance.now());
    this.#flushMs = options.flushIntervalMs ?? FLUSH_INTERVAL_MS;
    this.kvCells = options.kvCells ?? Infinity;
    this.#sharing = (options.prefixSharing ?? true) && runner.canCopy === true &&
      runner.copy !== undefined;
  }

  /** Requests waiting for a slot, and slots in use. */
  load(): { queued: number; slotsBusy: number; slotsTotal: number } {
    return {
      queued: this.#queue.length,
      slotsBusy: this.#slots.filter(Boolean).length,
      slotsTotal: this.#slots.length,
    };
  }

  /** Whether a step has anything to do. */
  get busy(): boolean {
    return this.#queue.length > 0 || this.#slots.some(Boolean);
  }

  /**
   * Queues a request.
   *
   * @throws {QueueFullError} when `queueLimit` requests already wait for a slot
   *   (requests the free slots will take at the next step do not count).
   */
  submit(request: ServeRequest): ServeHandle {
    // Queued requests that free slots will take at the next step are not waiting.
    const free = this.#slots.filter((slot) => slot === undefined).length;
    const waiting = this.#queue.length - free;
    if (waiting >= 0 && waiting >= this.#queueLimit) throw new QueueFullError(waiting, 1);
    const { promise, resolve, reject } = Promise.withResolvers<GenerationResult>();
    const job: Job = { request, resolve, reject, cancelled: false, submittedAt: this.#now() };
    this.#queue.push(job);
    return { result: promise, cancel: () => this.#cancel(job) };
  }

  /**
   * Marks `job` cancelled. A queued job leaves the queue at once: its client has gone,
   * and freeing its place must not depend on the step loop running. A job in a slot
   * ends at the next step.
   */
  #cancel(job: Job): void {
    if (job.cancelled) return;
    job.cancelled = true;
    const at = this.#queue.indexOf(job);
    if (at < 0) return;
    this.#queue.splice(at, 1);
    job.resolve(emptyResult("abort", job.request.prompt.length));
  }

  /**
   * Runs one step: admit, build one batch, decode it, sample. Returns whether it did
   * work. Never throws: a failure ends the requests it touched with the error (all
   * those in slots when the batch fails, one when its sampling fails); queued requests
   * stay queued.
   */
  step(): boolean {
    try {
      return this.#step();
    } catch (error) {
      // The batch and the slots' caches are in an unknown state.
      for (const slot of this.#slots) if (slot) this.#fail(slot, error);
      return true;
    }
  }

  /** Says the runner's adapter set was changed behind the scheduler's back (an adapter freed). */
  lorasChanged(): void {
    this.#loraKey = "\0changed";
  }

  /** Ends every request, queued or in a slot, with `error`; for a loop that cannot go on. */
  failAll(error: unknown): void {
    for (const job of this.#queue.splice(0)) job.reject(error);
    for (const slot of this.#slots) if (slot) this.#fail(slot, error);
  }

  #step(): boolean {
    this.#copiedFrom.clear();
    this.#dropCancelled();
    this.#resumeWaiting();
    this.#admit();
    const runner = this.#runner;
    runner.clearBatch();
    const ends = this.#ends;
    const room = poolRoom(this.kvCells, runner, this.#slots);
    const fill = batchGenerating(runner, this.#slots, room, ends);
    const { size, room: left, images } = batchPrompts(runner, this.#slots, fill, ends);
    if (size === 0 && images > 0) return true;
    if (size === 0) {
      // Prompts alone filled the shared pool: the newest gives way, or none moves on.
      const stuck = this.#slots.filter((slot) => slot !== undefined);
      if (stuck.length === 0) return false;
      const newest = stuck.reduce((a, b) =>
        this.#lastUsed[a.seqId] > this.#lastUsed[b.seqId] ? a : b
      );
      this.#fail(newest, new ContextOverflowError(newest.prompt.length, left + newest.position));
      return true;
    }
    runner.decode();
    for (const slot of this.#slots) {
      if (!slot || slot.outputIndex < 0) continue;
      try {
        const reason = sampleSlot(runner, slot);
        if (reason) this.#finish(slot, reason);
      } catch (error) {
        this.#fail(slot, error);
      }
    }
    return true;
  }

  #dropCancelled(): void {
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const job = this.#queue[i];
      if (job.cancelled) {
        this.#queue.splice(i, 1);
        job.resolve(emptyResult("abort", job.request.prompt.length));
      }
    }
    for (const slot of this.#slots) if (slot?.job.cancelled) this.#finish(slot, "abort");
  }

  #admit(): void {
    while (this.#queue.length > 0) {
      const free = this.#slots.flatMap((slot, seqId) => slot ? [] : [seqId]);
      if (free.length === 0) return;
      const head = this.#queue[0];
      const key = loraKey(head.request.loras);
      if (key !== this.#loraKey) {
        // Another adapter set: wait for the running group to finish, then switch.
        if (free.length < this.#slots.length) return;
        try {
          this.#runner.setLoras(head.request.loras ?? []);
        } catch (error) {
          this.#queue.shift();
          head.reject(error);
          continue;
        }
        this.#loraKey = key;
      }
      const job = this.#queue.shift()!;
      const prompt = Array.from(job.request.prompt);
      const best = pickSlot(free, this.#copiedFrom, this.#runner.cached, this.#lastUsed, prompt);
      if (prompt.length >= this.#runner.nCtxSeq) {
        job.reject(new ContextOverflowError(prompt.length, this.#runner.nCtxSeq));
        continue;
      }
      let sampler: SlotSampler;
      try {
        sampler = this.#runner.createSampler(job.request.sampling);
      } catch (error) {
        job.reject(error);
        continue;
      }
      const now = this.#now();
      this.#lastUsed[best] = ++this.#tick;
      const slot: Active = {
        job,
        seqId: best,
        prompt,
        position: 0,
        sampler,
        output: new OutputStream({
          stop: job.request.stop,
          promptTokens: prompt.length,
          cachedTokens: 0,
          startedAt: job.submittedAt,
          now: this.#now,
          flushIntervalMs: this.#flushMs,
          onPieces: (pieces) => job.request.onPieces(pieces),
        }),
        admittedAt: now,
        outputIndex: -1,
        lastToken: -1,
        waitFor: undefined,
        waitLength: 0,
        proposal: NO_DRAFT,
        drafted: 0,
        accepted: 0,
      };
      try {
        this.#place(slot);
      } catch (error) {
        sampler.free();
        job.reject(error);
        continue;
      }
      this.#slots[best] = slot;
      try {
        job.request.onStart?.();
      } catch {
        // A watcher's failure must not stop the step loop.
      }
    }
  }

  /**
   * Where `slot`'s prompt starts: the longest prefix its own sequence holds (cut back to
   * it), or a longer one copied from another sequence, or, when a slot still decoding
   * its prompt will hold a longer one still, nothing yet: `slot` waits for it. Sets
   * `position` and the reused-token count. The last prompt token is always decoded
   * (its logits are needed), so at most `prompt.length - 1` tokens are reused.
   */
  #place(slot: Active): void {
    const runner = this.#runner;
    const plan = planPrefix(slot, runner.cached, runner.nCtxSeq, this.#slots, this.#sharing);
    if (plan.wait) {
      slot.waitFor = plan.leader;
      slot.waitLength = plan.length;
      return;
    }
    let kept: number;
    if (plan.source === slot.seqId) {
      kept = runner.truncate(slot.seqId, plan.length);
    } else {
      kept = runner.copy!(plan.source, slot.seqId, plan.length);
      this.#copiedFrom.add(plan.source);
    }
    slot.position = kept;
    slot.output.reused(kept);
  }

  /**
   * Places every waiting slot whose leader has decoded the prefix it waits for, or
   * has ended (cancelled, failed: then the slot takes what the caches hold, or waits
   * for another slot decoding the same prefix). Runs before admission, so the
   * sequence a finished leader left its prefix in is still intact.
   */
  #resumeWaiting(): void {
    for (const slot of this.#slots) {
      if (!slot?.waitFor) continue;
      const leader = slot.waitFor;
      if (this.#slots[leader.seqId] === leader && leader.position < slot.waitLength) continue;
      slot.waitFor = undefined;
      try {
        this.#place(slot);
      } catch (error) {
        this.#fail(slot, error);
      }
    }
  }

  #finish(slot: Active, reason: FinishReason): void {
    if (this.#runner.draft) slot.output.recordDraft(slot.drafted, slot.accepted);
    const result = slot.output.finish(reason);
    slot.sampler.free();
    this.#slots[slot.seqId] = undefined;
    slot.job.resolve(result);
  }

  #fail(slot: Active, error: unknown): void {
    if (this.#slots[slot.seqId] !== slot) return; // already ended
    this.#slots[slot.seqId] = undefined;
    slot.job.reject(error);
    try {
      slot.sampler.free();
      // What the failed step left in the cache is unknown: forget it all.
      this.#runner.truncate(slot.seqId, 0);
    } catch {
      // The request has its error; a cache that cannot be cleared only costs reuse.
    }
  }
}
