/**
 * Continuous batching over the sequences of one context, as llama-server's slots do
 * (tools/server/server-context.cpp): every step decodes one batch holding the next
 * token of every generating slot plus prompt chunks of newly admitted requests, at
 * most n_batch tokens, generation first so prompts never starve it. A request takes
 * the free slot where its prompt keeps the most of the KV cache (shared prefix minus the
 * cached tokens it would throw away) and decodes only the rest: a chat's next turn finds
 * its own slot, and another chat takes an empty slot rather than evict it.
 *
 * LoRA adapters apply to a whole context, so one decode never mixes two adapter sets:
 * requests run in groups of one set. A request for another set waits until the running
 * group finishes, and requests behind it wait too (first come, first served, so no set
 * starves); then the scheduler switches the context's set and admits it.
 *
 * The scheduler never touches FFI: it drives a {@link Runner}, which the engine Worker
 * implements over a llama_context and tests implement with a fake.
 *
 * @module
 */
import { ContextOverflowError, QueueFullError } from "./errors.ts";
import { FLUSH_INTERVAL_MS, OutputStream } from "./output_stream.ts";
import type { ResolvedSampling } from "./sampling.ts";
import type { FinishReason, GenerationResult, Piece } from "./types.ts";

/** A sampler chain owned by one running request. */
export interface SlotSampler {
  /** Samples (and accepts) the token at batch output `index`. */
  sample(index: number): number;
  /** Frees the chain. */
  free(): void;
}

/** What the scheduler needs of a context. */
export interface Runner {
  /** Most tokens one decode takes. */
  readonly nBatch: number;
  /** Sequences (slots). */
  readonly nSeqMax: number;
  /** Tokens one sequence holds. */
  readonly nCtxSeq: number;
  /** Tokens each sequence holds in the KV cache, kept in step by `decode` and `truncate`. */
  readonly cached: number[][];
  /** Starts a new batch. */
  clearBatch(): void;
  /** Adds a token; returns its index in the batch. */
  addToBatch(token: number, position: number, seqId: number, output: boolean): number;
  /** Decodes the batch. @throws on failure. */
  decode(): void;
  /** Drops the KV cache of `seqId` from `from` on; returns the tokens kept. */
  truncate(seqId: number, from: number): number;
  /** Makes a sampler chain. @throws for a grammar that does not parse. */
  createSampler(sampling: ResolvedSampling): SlotSampler;
  /** Whether `token` ends a generation. */
  isEog(token: number): boolean;
  /** The bytes of a token's text. */
  tokenBytes(token: number, special: boolean): Uint8Array;
  /**
   * Applies a LoRA adapter set to the whole context. A changed set empties every
   * sequence's cache (`cached` too): it was computed with other weights.
   * @throws for an adapter that is gone.
   */
  setLoras(loras: readonly LoraScale[]): void;
}

/** An adapter (by the runner's id) and its scale; scale 0 = off. */
export interface LoraScale {
  loraId: number;
  scale: number;
}

/**
 * A canonical key of an adapter set: entries with a non-zero scale (as float32, which
 * llama.cpp stores), sorted; "" for none. Sets with one key give the same outputs.
 */
export function loraKey(loras: readonly LoraScale[] | undefined): string {
  if (!loras) return "";
  return loras
    .filter((l) => Math.fround(l.scale) !== 0)
    .map((l) => `${l.loraId}:${Math.fround(l.scale)}`)
    .sort()
    .join(",");
}

/** One request to serve. */
export interface ServeRequest {
  prompt: Int32Array | readonly number[];
  sampling: ResolvedSampling;
  /** Tokens to generate at most; -1 = until the sequence's context is full; 0 = prompt only. */
  maxTokens: number;
  stop: readonly string[];
  special: boolean;
  /** The LoRA adapters to run with. Default none. */
  loras?: readonly LoraScale[];
  /** Receives coalesced pieces. */
  onPieces(pieces: Piece[]): void;
  /** Called once when the request gets a slot, before any of its tokens is decoded. */
  onStart?(): void;
  /** The prompt's images: position spans the runner decodes itself (libmtmd). */
  images?: PromptImages;
}

/**
 * Images in a prompt: `prompt` holds one key per position, and each span of positions
 * is an image that `decode` puts into the KV cache of a sequence in one go (its own
 * batches), adding the span's keys to `cached`. A span is never the last position.
 */
export interface PromptImages {
  /** `[start, end)` position spans, in order. */
  readonly spans: readonly { start: number; end: number }[];
  /** Decodes span `index` into sequence `seqId` at its positions. */
  decode(seqId: number, index: number): void;
}

/** A request's handle: its result, and cancellation. */
export interface ServeHandle {
  readonly result: Promise<GenerationResult>;
  /**
   * Ends the request with finish_reason "abort": at once while it waits for a slot, at
   * the next step once it holds one.
   */
  cancel(): void;
}

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
}

interface Job {
  request: ServeRequest;
  resolve(result: GenerationResult): void;
  reject(error: unknown): void;
  cancelled: boolean;
  submittedAt: number;
}

interface Active {
  job: Job;
  seqId: number;
  prompt: readonly number[];
  /** Next prompt position to decode. */
  position: number;
  sampler: SlotSampler;
  output: OutputStream;
  admittedAt: number;
  /** The output index of this slot in the current batch, or -1. */
  outputIndex: number;
  /** The last sampled token, decoded in the next step. */
  lastToken: number;
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
  #tick = 0;
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
    this.#dropCancelled();
    this.#admit();
    const runner = this.#runner;
    runner.clearBatch();
    let size = 0;
    let room = this.#poolRoom();
    for (const slot of this.#slots) {
      if (!slot) continue;
      slot.outputIndex = -1;
      if (slot.position >= slot.prompt.length && slot.output.generated > 0) {
        // A full shared pool ends a generation as a full sequence would.
        if (room <= 0) {
          this.#finish(slot, "length");
          continue;
        }
        room--;
        const cache = runner.cached[slot.seqId];
        slot.outputIndex = runner.addToBatch(slot.lastToken, cache.length, slot.seqId, true);
        size++;
      }
    }
    let images = 0;
    for (const slot of this.#slots) {
      if (!slot || slot.position >= slot.prompt.length) continue;
      const spans = slot.job.request.images?.spans ?? [];
      const image = spans.findIndex((span) => slot.position < span.end);
      const span = spans[image];
      if (span?.start === slot.position) {
        // An image goes in whole, in its own decodes, before this step's shared batch.
        if (span.end - span.start > room) break;
        try {
          slot.job.request.images!.decode(slot.seqId, image);
        } catch (error) {
          this.#fail(slot, error);
          continue;
        }
        room -= span.end - span.start;
        slot.position = span.end;
        images++;
        continue;
      }
      const end = span?.start ?? slot.prompt.length;
      const n = Math.min(runner.nBatch - size, end - slot.position, room);
      if (n <= 0) break;
      room -= n;
      for (let i = 0; i < n; i++) {
        const at = slot.position + i;
        const last = at === slot.prompt.length - 1;
        const index = runner.addToBatch(slot.prompt[at], at, slot.seqId, last);
        if (last) slot.outputIndex = index;
      }
      slot.position += n;
      size += n;
    }
    if (size === 0 && images > 0) return true;
    if (size === 0) {
      // Prompts alone filled the shared pool: the newest gives way, or none moves on.
      const stuck = this.#slots.filter((slot) => slot !== undefined);
      if (stuck.length === 0) return false;
      const newest = stuck.reduce((a, b) =>
        this.#lastUsed[a.seqId] > this.#lastUsed[b.seqId] ? a : b
      );
      this.#fail(newest, new ContextOverflowError(newest.prompt.length, room + newest.position));
      return true;
    }
    runner.decode();
    for (const slot of this.#slots) {
      if (!slot || slot.outputIndex < 0) continue;
      try {
        this.#sampleNext(slot);
      } catch (error) {
        this.#fail(slot, error);
      }
    }
    return true;
  }

  /**
   * KV cells this step may still fill: Infinity for separate pools; for a shared one,
   * what the sequences leave free after idle slots give back their cached prompts when
   * the active ones need the room (as llama-server clears idle slots with a unified KV).
   */
  #poolRoom(): number {
    if (this.kvCells === Infinity) return Infinity;
    const { cached } = this.#runner;
    let used = 0;
    let need = 0;
    for (let seqId = 0; seqId < cached.length; seqId++) {
      used += cached[seqId].length;
      const slot = this.#slots[seqId];
      if (slot) need += Math.max(1, slot.prompt.length - slot.position);
    }
    if (this.kvCells - used >= need) return this.kvCells - used;
    for (let seqId = 0; seqId < cached.length; seqId++) {
      if (this.#slots[seqId] || cached[seqId].length === 0) continue;
      used -= cached[seqId].length;
      used += this.#runner.truncate(seqId, 0);
    }
    return this.kvCells - used;
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
      // The free slot where the prompt reuses the most and discards the least: the
      // shared prefix counts for, the cached tokens after it against (a chat's turns
      // stay in its slot; another chat sharing only the template's first tokens takes
      // an empty slot instead of evicting it). Ties go to the least recently used, so
      // hot prefixes (system prompts) stay cached.
      let best = free[0];
      let bestLength = -1;
      let bestScore = -Infinity;
      for (const seqId of free) {
        const cached = this.#runner.cached[seqId];
        const length = commonPrefix(cached, prompt);
        const score = length - (cached.length - length);
        if (
          score > bestScore ||
          (score === bestScore && this.#lastUsed[seqId] < this.#lastUsed[best])
        ) {
          best = seqId;
          bestLength = length;
          bestScore = score;
        }
      }
      if (prompt.length >= this.#runner.nCtxSeq) {
        job.reject(new ContextOverflowError(prompt.length, this.#runner.nCtxSeq));
        continue;
      }
      let sampler: SlotSampler;
      let kept: number;
      try {
        sampler = this.#runner.createSampler(job.request.sampling);
      } catch (error) {
        job.reject(error);
        continue;
      }
      try {
        // The last prompt token is decoded again: its logits are needed.
        kept = this.#runner.truncate(
          best,
          wholeImages(job.request.images, Math.min(bestLength, prompt.length - 1)),
        );
      } catch (error) {
        sampler.free();
        job.reject(error);
        continue;
      }
      const now = this.#now();
      this.#lastUsed[best] = ++this.#tick;
      this.#slots[best] = {
        job,
        seqId: best,
        prompt,
        position: kept,
        sampler,
        output: new OutputStream({
          stop: job.request.stop,
          promptTokens: prompt.length,
          cachedTokens: kept,
          startedAt: job.submittedAt,
          now: this.#now,
          flushIntervalMs: this.#flushMs,
          onPieces: (pieces) => job.request.onPieces(pieces),
        }),
        admittedAt: now,
        outputIndex: -1,
        lastToken: -1,
      };
      try {
        job.request.onStart?.();
      } catch {
        // A watcher's failure must not stop the step loop.
      }
    }
  }

  #sampleNext(slot: Active): void {
    const runner = this.#runner;
    const { output } = slot;
    if (output.generated === 0) output.promptDone();
    const { maxTokens } = slot.job.request;
    // Checked after each token below; maxTokens 0 must sample none.
    if (maxTokens === 0) return this.#finish(slot, "length");
    const token = slot.sampler.sample(slot.outputIndex);
    if (runner.isEog(token)) {
      output.push(token);
      return this.#finish(slot, "stop");
    }
    if (output.push(token, runner.tokenBytes(token, slot.job.request.special))) {
      return this.#finish(slot, "stop");
    }
    if (maxTokens >= 0 && output.generated >= maxTokens) return this.#finish(slot, "length");
    if (runner.cached[slot.seqId].length + 1 >= runner.nCtxSeq) return this.#finish(slot, "length");
    slot.lastToken = token;
  }

  #finish(slot: Active, reason: FinishReason): void {
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

/** A cached prefix length that does not end inside an image (images are reused whole). */
function wholeImages(images: PromptImages | undefined, length: number): number {
  const span = images?.spans.find((span) => span.start < length && length < span.end);
  return span ? span.start : length;
}

/** The length of the common prefix of two token lists. */
export function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function emptyResult(reason: FinishReason, promptTokens: number): GenerationResult {
  return {
    finishReason: reason,
    text: "",
    droppedMessages: 0,
    metrics: {
      promptTokens,
      cachedTokens: 0,
      promptEvalTokens: 0,
      generatedTokens: 0,
      ttftMs: 0,
      promptMs: 0,
      genMs: 0,
      promptTokPerSec: 0,
      genTokPerSec: 0,
    },
  };
}
