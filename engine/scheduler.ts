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
  /**
   * Whether {@link Runner.copy} can work on this context's memory; absent or false, no
   * prefix is shared between sequences.
   */
  readonly canCopy?: boolean;
  /**
   * Makes `dst` hold the first `length` tokens of `src`'s cache (same positions),
   * dropping what `dst` held, with `cached` kept in step. Returns the tokens `dst` now
   * holds: `length`, or 0 when the memory could not copy (the prompt is then decoded).
   * The copy reflects `src` as it is at the call, whatever later steps decode into it.
   */
  copy?(src: number, dst: number, length: number): number;
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
  /**
   * Drafts up to `limit` tokens to follow what `seqId` holds plus `last` (speculative
   * decoding), within the draft's own nMax, nMin and pMin. Absent without a draft model.
   * @throws when the draft cannot decode.
   */
  draft?(seqId: number, last: number, limit: number): number[];
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
  /**
   * Whether requests copy prompt prefixes other sequences hold instead of decoding them
   * (when the runner can copy). Outputs are the same either way. Default true.
   */
  prefixSharing?: boolean;
}

/**
 * Fewest prompt tokens a copy from another sequence (or waiting for one to decode
 * them) must save over what the target sequence already holds. Across KV streams a
 * copy moves the whole stream buffer (n_ctx_seq cells of every layer), so a copy of a
 * few tokens would cost more than decoding them.
 */
export const MIN_COPY_TOKENS = 16;

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
  /**
   * The slot that is decoding a longer prefix of this prompt than any sequence holds:
   * this one decodes nothing until that one has decoded `waitLength` tokens (or ended),
   * then copies them.
   */
  waitFor: Active | undefined;
  waitLength: number;
  /** Drafted tokens in the current batch, after lastToken. */
  proposal: number[];
  /** Tokens drafted and accepted over the request. */
  drafted: number;
  accepted: number;
}

const NO_DRAFT: number[] = [];

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
    let size = 0;
    let room = this.#poolRoom();
    const generating = (slot: Active | undefined): slot is Active =>
      slot !== undefined && slot.position >= slot.prompt.length && slot.output.generated > 0;
    let waiting = this.#slots.filter(generating).length;
    for (const slot of this.#slots) {
      if (!slot) continue;
      slot.outputIndex = -1;
      slot.proposal = NO_DRAFT;
      if (generating(slot)) {
        waiting--;
        // A full shared pool ends a generation as a full sequence would.
        if (room <= 0) {
          this.#finish(slot, "length");
          continue;
        }
        room--;
        const cache = runner.cached[slot.seqId];
        if (runner.draft) {
          // Room for one token of every slot after this one; positions within the
          // sequence; no more than maxTokens can use (the last token is the target's).
          const { maxTokens } = slot.job.request;
          let limit = Math.min(
            runner.nBatch - size - 1 - waiting,
            runner.nCtxSeq - 2 - cache.length,
            room,
          );
          if (maxTokens >= 0) limit = Math.min(limit, maxTokens - slot.output.generated - 1);
          if (limit > 0) {
            try {
              slot.proposal = runner.draft(slot.seqId, slot.lastToken, limit);
            } catch (error) {
              this.#fail(slot, error);
              continue;
            }
          }
        }
        slot.outputIndex = runner.addToBatch(slot.lastToken, cache.length, slot.seqId, true);
        slot.proposal.forEach((token, i) =>
          runner.addToBatch(token, cache.length + 1 + i, slot.seqId, true)
        );
        room -= slot.proposal.length;
        size += 1 + slot.proposal.length;
      }
    }
    let images = 0;
    for (const slot of this.#slots) {
      if (!slot || slot.waitFor || slot.position >= slot.prompt.length) continue;
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
      // hot prefixes (system prompts) stay cached. Sequences copied from in this step
      // are left alone while another slot is free.
      const untouched = free.filter((seqId) => !this.#copiedFrom.has(seqId));
      const candidates = untouched.length > 0 ? untouched : free;
      let best = candidates[0];
      let bestScore = -Infinity;
      for (const seqId of candidates) {
        const cached = this.#runner.cached[seqId];
        const length = commonPrefix(cached, prompt);
        const score = length - (cached.length - length);
        if (
          score > bestScore ||
          (score === bestScore && this.#lastUsed[seqId] < this.#lastUsed[best])
        ) {
          best = seqId;
          bestScore = score;
        }
      }
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
    const { prompt, seqId } = slot;
    // Images are reused whole: a kept or copied prefix never ends inside one.
    const whole = (n: number) => wholeImages(slot.job.request.images, n);
    const limit = Math.min(prompt.length - 1, runner.nCtxSeq - 1);
    const own = whole(Math.min(commonPrefix(runner.cached[seqId], prompt), limit));
    let source = seqId;
    let length = own;
    if (this.#sharing) {
      let other = -1;
      let otherLength = 0;
      for (let s = 0; s < runner.cached.length; s++) {
        if (s === seqId) continue;
        const n = whole(Math.min(commonPrefix(runner.cached[s], prompt), limit));
        if (n > otherLength) [other, otherLength] = [s, n];
      }
      let leader: Active | undefined;
      let pending = 0;
      for (const active of this.#slots) {
        if (!active || active === slot || active.waitFor) continue;
        if (active.position >= active.prompt.length) continue; // its prompt is cached
        const n = whole(Math.min(commonPrefix(active.prompt, prompt), limit));
        if (n > pending) [leader, pending] = [active, n];
      }
      if (otherLength >= own + MIN_COPY_TOKENS) [source, length] = [other, otherLength];
      if (leader && pending >= length + MIN_COPY_TOKENS) {
        slot.waitFor = leader;
        slot.waitLength = pending;
        return;
      }
    }
    let kept: number;
    if (source === seqId) {
      kept = runner.truncate(seqId, length);
    } else {
      kept = runner.copy!(source, seqId, length);
      this.#copiedFrom.add(source);
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

  /**
   * Samples the slot's outputs of this step: one token, or with a draft the target's
   * tokens up to the first that differs from the draft (inclusive). Rejected cells go
   * from the cache; the last emitted token is decoded in the next step.
   */
  #sampleNext(slot: Active): void {
    const runner = this.#runner;
    const { output, proposal } = slot;
    if (output.generated === 0) output.promptDone();
    const { maxTokens } = slot.job.request;
    // Checked after each token below; maxTokens 0 must sample none.
    if (maxTokens === 0) return this.#finish(slot, "length");
    const cache = runner.cached[slot.seqId];
    // The cache's length without the draft: what it holds before token i is start + i.
    const start = cache.length - proposal.length;
    slot.drafted += proposal.length;
    for (let i = 0; i <= proposal.length; i++) {
      const token = slot.sampler.sample(slot.outputIndex + i);
      const matched = i < proposal.length && token === proposal[i];
      if (matched) slot.accepted++;
      // Cells after the tokens emitted so far (whatever else the draft proposed) go.
      const cut = () => proposal.length > 0 && runner.truncate(slot.seqId, start + i);
      if (runner.isEog(token)) {
        output.push(token);
        cut();
        return this.#finish(slot, "stop");
      }
      if (output.push(token, runner.tokenBytes(token, slot.job.request.special))) {
        cut();
        return this.#finish(slot, "stop");
      }
      if (
        (maxTokens >= 0 && output.generated >= maxTokens) || start + i + 1 >= runner.nCtxSeq
      ) {
        cut();
        return this.#finish(slot, "length");
      }
      slot.lastToken = token;
      if (!matched) {
        cut();
        return;
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
