/**
 * Runs a {@link Scheduler} on a context in the engine Worker: a loop of decode steps
 * that yields to the Worker's event loop at least every millisecond, so new requests
 * and cancellations arrive between steps. Yields are MessageChannel tasks (cheap),
 * or a timer while a message from the main thread is on its way (see `#yield`).
 *
 * @module
 */
import {
  type LoraScale,
  type Runner,
  Scheduler,
  type ServeHandle,
  type ServeRequest,
  type SlotSampler,
} from "../scheduler.ts";
import { type ResolvedSampling, samplerChain } from "../sampling.ts";
import { EngineError } from "../errors.ts";
import type { HeartbeatWriter } from "../heartbeat.ts";
import type { GenerationResult } from "../types.ts";
import type { NativeContext } from "./native_context.ts";
import { NativeSampler } from "./native_sampler.ts";
import { type DraftRunner, makeDraft } from "./speculative_loop.ts";
import type { Arrivals } from "./arrivals.ts";

/** Longest run of steps between two yields to the event loop, in milliseconds. */
const YIELD_EVERY_MS = 1;

/** {@link Runner} over a llama_context. */
class NativeRunner implements Runner {
  readonly #ctx: NativeContext;
  readonly nBatch: number;
  readonly nSeqMax: number;
  readonly nCtxSeq: number;
  readonly cached: number[][];
  readonly #draft: (() => DraftRunner | undefined) | undefined;

  constructor(ctx: NativeContext, draft?: () => DraftRunner | undefined) {
    this.#ctx = ctx;
    this.nBatch = ctx.info.nBatch;
    this.nSeqMax = ctx.info.nSeqMax;
    this.nCtxSeq = Math.min(ctx.info.nCtxSeq, draft?.()?.ctx.info.nCtxSeq ?? Infinity);
    this.cached = ctx.cached;
    this.#draft = draft;
    if (!draft?.()) this.draft = undefined;
  }

  draft?(seqId: number, last: number, limit: number): number[] {
    // The draft model may have been freed since: the slots go on without drafts.
    const draft = this.#draft?.();
    return draft ? makeDraft(draft, seqId, this.cached[seqId], last, limit) : [];
  }

  clearBatch(): void {
    this.#ctx.batch.clear();
  }

  addToBatch(token: number, position: number, seqId: number, output: boolean): number {
    return this.#ctx.batch.add(token, position, seqId, output);
  }

  decode(): void {
    if (this.#ctx.decode() === "aborted") throw new EngineError("Cannot decode: aborted");
    const { batch } = this.#ctx;
    for (let i = 0; i < batch.size; i++) this.cached[batch.seqIds[i]].push(batch.tokens[i]);
  }

  truncate(seqId: number, from: number): number {
    // The draft holds at most the target's tokens (and a draft): what goes here goes
    // there too, so a shared KV pool frees cells in both.
    this.#draft?.()?.ctx.truncate(seqId, from);
    return this.#ctx.truncate(seqId, from);
  }

  get canCopy(): boolean {
    return this.#ctx.canCopy;
  }

  copy(src: number, dst: number, length: number): number {
    return this.#ctx.copy(src, dst, length);
  }

  createSampler(sampling: ResolvedSampling): SlotSampler {
    const { model } = this.#ctx;
    const sampler = new NativeSampler(
      model.libs.llama,
      model.vocab,
      model.info.nVocab,
      this.nCtxSeq,
      samplerChain(sampling),
      model.libs.log,
    );
    return {
      sample: (index) => sampler.sample(this.#ctx.pointer, index),
      free: () => sampler.free(),
    };
  }

  isEog(token: number): boolean {
    return this.#ctx.model.libs.llama.llama_vocab_is_eog(this.#ctx.model.vocab, token);
  }

  setLoras(loras: readonly LoraScale[]): void {
    this.#ctx.setLoras(loras);
  }

  readonly #scratch = new Uint8Array(256);

  tokenBytes(token: number, special: boolean): Uint8Array {
    return this.#ctx.model.tokenBytes(token, special, this.#scratch);
  }
}

/** A scheduler and its step loop on one context. */
export class ServeLoop {
  readonly scheduler: Scheduler;
  readonly #handles = new Map<number, ServeHandle>();
  // A macrotask costing microseconds where a setTimeout costs milliseconds.
  readonly #channel = new MessageChannel();
  #wake: (() => void) | undefined;
  readonly #messageWaiting: () => boolean;
  readonly #arrivals: Arrivals | undefined;
  readonly #heartbeat: HeartbeatWriter | undefined;
  /**
   * Whether `#run` is under way. Set before it starts and cleared by its last
   * synchronous line, so it is exact at every point where `submit` can look: `#run`
   * may end synchronously (one step finished every request before the first yield),
   * so its promise alone cannot tell a running loop from a finished one.
   */
  #running = false;
  /** The latest loop; settled once it stops. */
  #loop: Promise<void> = Promise.resolve();
  #closed = false;

  /**
   * Serves on `ctx`, whose sequences become the slots.
   *
   * @param messageWaiting whether a message from the main thread (a request, a
   *   cancel) has been posted but not yet received: the loop then yields at once, in
   *   a way that lets it in.
   * @param heartbeat marked at every step, for the main thread's stall check.
   * @param prefixSharing whether a request copies the longest prompt prefix any other
   *   sequence holds instead of decoding it (SchedulerOptions.prefixSharing).
   * @param draft the draft model's context of the same sizes (speculative decoding), while
   *   it lives.
   * @param arrivals wakes a loop waiting for a message as soon as the message is in,
   *   rather than at the end of the timer it waits with.
   * @throws {RangeError} when the context has more sequences than n_batch.
   */
  constructor(
    ctx: NativeContext,
    queueLimit: number,
    messageWaiting: () => boolean,
    heartbeat?: HeartbeatWriter,
    prefixSharing = true,
    draft?: () => DraftRunner | undefined,
    arrivals?: Arrivals,
  ) {
    // Steps are single tokens per slot: stop between steps, never inside one.
    ctx.setAbortable(false);
    this.scheduler = new Scheduler(new NativeRunner(ctx, draft), { queueLimit, prefixSharing });
    this.#messageWaiting = messageWaiting;
    this.#arrivals = arrivals;
    this.#heartbeat = heartbeat;
    this.#channel.port1.onmessage = () => this.#wake?.();
  }

  /** Queues a request under `key`; resolves when it ends. */
  submit(key: number, request: ServeRequest): Promise<GenerationResult> {
    if (this.#closed) {
      return Promise.reject(new EngineError("Cannot serve: the context is closing"));
    }
    const handle = this.scheduler.submit(request);
    this.#handles.set(key, handle);
    if (!this.#running) {
      this.#running = true;
      this.#loop = this.#run();
    }
    return handle.result.finally(() => this.#handles.delete(key));
  }

  /** Ends request `key`: a queued one at once, a running one at the next step. */
  cancel(key: number): void {
    this.#handles.get(key)?.cancel();
  }

  /** Cancels every request and waits for the loop to stop. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const handle of this.#handles.values()) handle.cancel();
    await this.#loop;
    this.#channel.port1.close();
  }

  #yield(): Promise<void> {
    // Measured in Deno 2.9: while MessageChannel yields keep the Worker busy, messages
    // from the main thread wait behind them, seconds under load (setImmediate does no
    // better); only an event loop with nothing to run, as under a timer, lets them in.
    // A timer costs 2-4 ms (its millisecond clock) where the message is in after about
    // 0.3, so the loop goes on at whichever comes first (measured: 0.2-0.3 ms a yield
    // against 2.3-3.7 ms for the timer alone).
    if (this.#messageWaiting()) {
      // A burst of requests (a client's parallel calls, a sheet's rows) comes in whole
      // before the loop goes on, so that they are admitted together and share the
      // decode of a common prefix.
      return new Promise((resolve) => {
        let cancel: (() => void) | undefined;
        const done = () => {
          clearTimeout(timer);
          cancel?.();
          resolve();
        };
        const arrived = () => {
          if (this.#messageWaiting()) cancel = this.#arrivals?.next(arrived);
          else done();
        };
        const timer = setTimeout(done, 0);
        cancel = this.#arrivals?.next(arrived);
      });
    }
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#channel.port2.postMessage(0);
    });
  }

  async #run(): Promise<void> {
    let lastYield = performance.now();
    try {
      while (this.scheduler.busy) {
        let worked = true;
        this.#heartbeat?.beginStep();
        try {
          worked = this.scheduler.step();
        } catch (error) {
          // step() ends the requests a failure touches; should anything still escape
          // it, every request gets the error rather than waiting on a dead loop.
          this.scheduler.failAll(error);
        }
        this.#heartbeat?.endStep();
        if (
          !worked || performance.now() - lastYield >= YIELD_EVERY_MS || this.#messageWaiting()
        ) {
          await this.#yield();
          lastYield = performance.now();
        }
      }
    } finally {
      // No await between the busy check and here: a request submitted from now on
      // finds the loop stopped and starts another.
      this.#running = false;
    }
  }
}
