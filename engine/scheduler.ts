/**
 * Continuous batching over the sequences of one context, as llama-server's slots do
 * (tools/server/server-context.cpp): every step decodes one batch holding the next
 * token of every generating slot plus prompt chunks of newly admitted requests, at
 * most n_batch tokens, generation first so prompts never starve it. A request takes
 * the free slot where its prompt keeps the most of the KV cache (shared prefix minus the
 * cached tokens it would throw away) and decodes only the rest: a chat's next turn finds
 * its own slot, and another chat takes an empty slot rather than evict it.
 *
 * The scheduler never touches FFI: it drives a {@link Runner}, which the engine Worker
 * implements over a llama_context and tests implement with a fake.
 *
 * @module
 */
import { ContextOverflowError, QueueFullError } from "./errors.ts";
import { StopMatcher } from "./stop_strings.ts";
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
}

/** One request to serve. */
export interface ServeRequest {
  prompt: Int32Array | readonly number[];
  sampling: ResolvedSampling;
  /** Tokens to generate at most; -1 = until the sequence's context is full; 0 = prompt only. */
  maxTokens: number;
  stop: readonly string[];
  special: boolean;
  /** Receives coalesced pieces. */
  onPieces(pieces: Piece[]): void;
  /** Called once when the request gets a slot, before any of its tokens is decoded. */
  onStart?(): void;
}

/** A request's handle: its result, and cancellation. */
export interface ServeHandle {
  readonly result: Promise<GenerationResult>;
  /** Ends the request at the next step with finish_reason "abort". */
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
   * once, for TTFT). Default 33, about 30 updates a second: each post wakes the main
   * thread, which then competes with the ggml threads for the cores; measured with
   * `deno task bench --http` on 2 cores, 8 ms cost 5-8% of generation speed.
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
  cachedTokens: number;
  sampler: SlotSampler;
  matcher: StopMatcher;
  decoder: TextDecoder;
  text: string;
  pending: Piece[];
  lastFlush: number;
  generated: number;
  firstTokenAt: number;
  promptDoneAt: number;
  admittedAt: number;
  /** The output index of this slot in the current batch, or -1. */
  output: number;
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
    this.#flushMs = options.flushIntervalMs ?? 33;
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
    return { result: promise, cancel: () => (job.cancelled = true) };
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
      slot.output = -1;
      if (slot.position >= slot.prompt.length && slot.generated > 0) {
        // A full shared pool ends a generation as a full sequence would.
        if (room <= 0) {
          this.#finish(slot, "length");
          continue;
        }
        room--;
        const cache = runner.cached[slot.seqId];
        slot.output = runner.addToBatch(slot.lastToken, cache.length, slot.seqId, true);
        size++;
      }
    }
    for (const slot of this.#slots) {
      if (!slot || slot.position >= slot.prompt.length) continue;
      const n = Math.min(runner.nBatch - size, slot.prompt.length - slot.position, room);
      if (n <= 0) break;
      room -= n;
      for (let i = 0; i < n; i++) {
        const at = slot.position + i;
        const last = at === slot.prompt.length - 1;
        const index = runner.addToBatch(slot.prompt[at], at, slot.seqId, last);
        if (last) slot.output = index;
      }
      slot.position += n;
      size += n;
    }
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
      if (!slot || slot.output < 0) continue;
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
        kept = this.#runner.truncate(best, Math.min(bestLength, prompt.length - 1));
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
        cachedTokens: kept,
        sampler,
        matcher: new StopMatcher(job.request.stop),
        decoder: new TextDecoder(),
        text: "",
        pending: [],
        lastFlush: 0,
        generated: 0,
        firstTokenAt: 0,
        promptDoneAt: 0,
        admittedAt: now,
        output: -1,
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
    const now = this.#now();
    if (slot.generated === 0) slot.promptDoneAt = now;
    const { maxTokens } = slot.job.request;
    // Checked after each token below; maxTokens 0 must sample none.
    if (maxTokens === 0) return this.#finish(slot, "length");
    const token = slot.sampler.sample(slot.output);
    slot.generated++;
    if (slot.generated === 1) slot.firstTokenAt = now;
    if (runner.isEog(token)) return this.#finish(slot, "stop");
    const pushed = slot.matcher.push(
      slot.decoder.decode(runner.tokenBytes(token, slot.job.request.special), { stream: true }),
    );
    slot.text += pushed.text;
    slot.pending.push({ token, text: pushed.text });
    if (pushed.stopped) return this.#finish(slot, "stop", pushed.stop);
    this.#flush(slot, false);
    if (maxTokens >= 0 && slot.generated >= maxTokens) return this.#finish(slot, "length");
    if (runner.cached[slot.seqId].length + 1 >= runner.nCtxSeq) return this.#finish(slot, "length");
    slot.lastToken = token;
  }

  #flush(slot: Active, force: boolean): void {
    const now = this.#now();
    if (slot.pending.length === 0) return;
    if (force || slot.generated === 1 || now - slot.lastFlush >= this.#flushMs) {
      slot.job.request.onPieces(slot.pending);
      slot.pending = [];
      slot.lastFlush = now;
    }
  }

  #finish(slot: Active, reason: FinishReason, stop?: string): void {
    if (!stop) {
      const tail = slot.matcher.flush() + slot.decoder.decode();
      if (tail) {
        slot.text += tail;
        const last = slot.pending.at(-1);
        if (last) last.text += tail;
        else slot.pending.push({ token: -1, text: tail });
      }
    }
    this.#flush(slot, true);
    slot.sampler.free();
    this.#slots[slot.seqId] = undefined;
    const end = this.#now();
    const promptEvalTokens = slot.prompt.length - slot.cachedTokens;
    const promptMs = (slot.promptDoneAt || end) - slot.job.submittedAt;
    const genMs = slot.generated > 0 ? end - slot.firstTokenAt : 0;
    slot.job.resolve({
      finishReason: reason,
      ...(stop === undefined ? {} : { stop }),
      text: slot.text,
      droppedMessages: 0,
      metrics: {
        promptTokens: slot.prompt.length,
        cachedTokens: slot.cachedTokens,
        promptEvalTokens,
        generatedTokens: slot.generated,
        ttftMs: slot.generated > 0 ? slot.firstTokenAt - slot.job.submittedAt : 0,
        promptMs,
        genMs,
        promptTokPerSec: promptMs > 0 ? (promptEvalTokens * 1000) / promptMs : 0,
        genTokPerSec: genMs > 0 && slot.generated > 1 ? ((slot.generated - 1) * 1000) / genMs : 0,
      },
    });
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
