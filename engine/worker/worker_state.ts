/**
 * What the engine Worker holds between requests: the native libraries and every live
 * handle by id (models, contexts with their serve loops and drafts, samplers, LoRA
 * adapters, libmtmd), and what its request handlers are given to reach it
 * ({@link WorkerEnv}).
 *
 * @module
 */
import type { NativeLibraries } from "../../ffi/library.ts";
import type { MtmdLibrary } from "../../ffi/mtmd_library.ts";
import { EngineError } from "../errors.ts";
import type { Reply, Requests } from "../protocol.ts";
import type { NativeContext } from "./native_context.ts";
import type { NativeModel } from "./native_model.ts";
import type { NativeSampler } from "./native_sampler.ts";
import type { ServeLoop } from "./serve_loop.ts";
import type { DraftRunner } from "./speculative_loop.ts";
import type { Arrivals } from "./arrivals.ts";

/** A context, its model, its serve loop and its draft (a context on the draft model). */
export interface ContextEntry {
  ctx: NativeContext;
  modelId: number;
  serve?: ServeLoop;
  draft?: DraftRunner & { modelId: number };
}

/** The Worker's live handles, made by the `init` request and emptied by `shutdown`. */
export class WorkerState {
  readonly models = new Map<number, NativeModel>();
  readonly contexts = new Map<number, ContextEntry>();
  readonly samplers = new Map<number, { sampler: NativeSampler; modelId: number }>();
  /** The model of each adapter (the model holds its handle). */
  readonly loras = new Map<number, number>();
  /** libmtmd, opened at the first mmproj load. */
  mtmd?: MtmdLibrary;
  nextId = 1;

  /**
   * @param libs the native libraries, closed by `shutdown`
   * @param abortFlags the abort flags shared with the main thread
   */
  constructor(readonly libs: NativeLibraries, readonly abortFlags: Int32Array) {}

  /** The model with `id`. @throws {EngineError} when it was freed. */
  model(id: number): NativeModel {
    const found = this.models.get(id);
    if (!found) throw new EngineError(`Cannot find model ${id}: it was freed`);
    return found;
  }

  /** The context with `id`. @throws {EngineError} when it was freed. */
  context(id: number): NativeContext {
    const found = this.contexts.get(id);
    if (!found) throw new EngineError(`Cannot find context ${id}: it was freed`);
    return found.ctx;
  }
}

/** What request handlers reach the Worker through. */
export interface WorkerEnv {
  /** The state. @throws {EngineError} before `init`. */
  live(): WorkerState;
  /** Posts a reply or an event to the main thread. */
  post(reply: Reply): void;
  /** Requests received so far (the main thread counts those it posted). */
  received(): number;
  /** Wakes a serve loop waiting for a request as soon as one is in. */
  arrivals: Arrivals;
}

/**
 * Handles one request; `id` is the request's, for events. A handler may answer later
 * (a served request ends after many steps): messages that arrive meanwhile run between
 * the scheduler's steps.
 */
export type Handler<K extends keyof Requests> = (args: Requests[K], id: number) => unknown;

/** A handler for every operation. */
export type Handlers = { [K in keyof Requests]: Handler<K> };
