/**
 * The engine: one Worker that owns libllama, and the request channel to it. The main
 * thread never calls into llama.cpp; it sends requests, receives coalesced token
 * pieces, and stops work through a SharedArrayBuffer the Worker's abort callback
 * reads.
 *
 * @module
 */
import { type LibLocation, type LibVariant, locateLibraries } from "../ffi/lib_dir.ts";
import { GGML_LOG_LEVEL } from "../ffi/log_capture.ts";
import { fileURLToPath } from "node:url";
import { DisposedError } from "./errors.ts";
import { EngineProcess } from "./engine_process.ts";
import { parseRpcServers, probeRpcServers } from "./rpc_endpoints.ts";
import { reviveError } from "./revive_error.ts";
import {
  ABORT_ALL,
  ABORT_SLOTS,
  POSTED_INDEX,
  type Reply,
  type Request,
  type Requests,
} from "./protocol.ts";
import type { BackendDevice, EngineInfo, Piece } from "./types.ts";

/** Options of {@link Engine.start}. */
export interface EngineOptions {
  /**
   * A folder holding libllama and its ggml libraries (a native/build.sh output or
   * llama.cpp's build/bin) to use instead of the prebuilt npm package.
   */
  libDir?: string;
  /**
   * Force a prebuilt `@node-llama-cpp/<variant>` package, e.g. "linux-x64-vulkan";
   * default: chosen from the OS, CPU and GPU.
   */
  variant?: LibVariant;
  /** llama.cpp log lines at or above this level go to stderr. Default "none". */
  logLevel?: "debug" | "info" | "warn" | "error" | "none";
  /**
   * llama.cpp RPC workers (`ggml-rpc-server`) whose devices models of this engine use,
   * as llama.cpp's `--rpc` spells them: "HOST:PORT[,HOST:PORT...]". Each is probed
   * (connect and protocol hello) before anything loads, and the engine then runs in a
   * child process (engine/engine_process.ts), so a worker that goes away ends that
   * process, not this one. Default: none.
   */
  rpc?: string | readonly string[];
  /**
   * Folders to look for the RPC backend library (`libggml-rpc`) in after the libllama
   * folder; default {@link defaultRpcLibDirs}.
   */
  rpcLibDirs?: readonly string[];
}

/**
 * Where native/build.sh puts the RPC backend by default: `$HEARTH_RPC_LIB_DIR` if set,
 * then `dist/llama/cpu` of this checkout.
 */
export function defaultRpcLibDirs(): string[] {
  const fromEnv = Deno.env.get("HEARTH_RPC_LIB_DIR");
  return [
    ...(fromEnv ? [fromEnv] : []),
    fileURLToPath(new URL("../dist/llama/cpu", import.meta.url)),
  ];
}

/** Callbacks for the events of one request. */
interface Listeners {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  progress?(fraction: number): void;
  pieces?(pieces: Piece[]): void;
  started?(): void;
}

/**
 * A running engine Worker with libllama loaded. Get one with {@link Engine.start}
 * and pass it as `loadModel(path, { engine })` to load several models into one
 * Worker; `loadModel` without an engine starts one that its model owns.
 *
 * @example
 * ```ts
 * import { Engine, loadModel } from "@hearth/hearth";
 *
 * using engine = await Engine.start();
 * using model = await loadModel("models/stories260K.gguf", { engine });
 * using tokenizer = await loadModel("models/stories260K.gguf", { engine, vocabOnly: true });
 * console.log(engine.info.variant, model.info.nParams, await tokenizer.tokenize("Hi"));
 * ```
 */
export class Engine {
  /** The libraries and devices the engine found. */
  readonly info: EngineInfo;
  /** @internal Where the libraries are: child-process loads use the same ones. */
  readonly _location: LibLocation;
  readonly #worker: Worker | EngineProcess;
  readonly #pending = new Map<number, Listeners>();
  readonly #abortFlags: Int32Array;
  readonly #freeSlots: number[];
  #nextId = 1;
  #nextSerial = 1;
  #disposed = false;
  readonly #failed = Promise.withResolvers<Error>();

  private constructor(
    worker: Worker | EngineProcess,
    abortFlags: Int32Array,
    info: EngineInfo,
    location: LibLocation,
  ) {
    this._location = location;
    this.#worker = worker;
    this.#abortFlags = abortFlags;
    this.info = info;
    this.#freeSlots = Array.from({ length: ABORT_SLOTS - 1 }, (_, i) => ABORT_SLOTS - 1 - i);
  }

  /**
   * Starts the engine Worker and loads libllama and every ggml backend in its folder.
   *
   * @throws {LibraryLoadError} when the libraries cannot be found, fetched or opened.
   * @throws {RangeError} for a malformed `rpc` list.
   * @throws {RpcWorkerError} when an RPC worker does not answer the probe, speaks another
   *   protocol version, or no RPC backend library is found ("unsupported").
   * @example
   * ```ts
   * import { Engine } from "@hearth/hearth";
   *
   * using engine = await Engine.start({ logLevel: "error" });
   * console.log(engine.info.devices.map((d) => d.name)); // e.g. ["CPU"]
   * ```
   */
  static async start(options: EngineOptions = {}): Promise<Engine> {
    const location = await locateLibraries(options);
    const rpc = options.rpc === undefined || options.rpc.length === 0
      ? []
      : parseRpcServers(options.rpc);
    // ggml aborts the process on an address it cannot reach: none gets there unprobed.
    if (rpc.length > 0) await probeRpcServers(rpc);
    const worker = rpc.length > 0
      ? new EngineProcess(rpc, (options.logLevel ?? "none") !== "none")
      : new Worker(new URL("./worker/main.ts", import.meta.url), { type: "module" });
    // The abort slots, then the count of posted requests (POSTED_INDEX).
    const abortFlags = new Int32Array(new SharedArrayBuffer((ABORT_SLOTS + 1) * 4));
    const echoLevel = options.logLevel && options.logLevel !== "none"
      ? GGML_LOG_LEVEL[options.logLevel]
      : 99;
    // The instance exists before init so that init's reply goes through #receive.
    const engine = new Engine(worker, abortFlags, undefined as unknown as EngineInfo, location);
    worker.onmessage = (event: MessageEvent<Reply>) => engine.#receive(event.data);
    if (worker instanceof EngineProcess) worker.onexit = (error) => engine.#fail(error);
    else {
      worker.onerror = (event) => {
        event.preventDefault();
        engine.#fail(new Error(`Engine worker failed: ${event.message}`));
      };
    }
    try {
      const info = await engine._call("init", {
        dir: location.dir,
        preloadDirs: location.preloadDirs,
        variant: location.variant,
        echoLevel,
        abortFlags: abortFlags.buffer as SharedArrayBuffer,
        rpcServers: rpc.map((endpoint) => endpoint.text),
        rpcLibDirs: [...(options.rpcLibDirs ?? defaultRpcLibDirs())],
      }) as EngineInfo;
      (engine as { info: EngineInfo }).info = info;
      return engine;
    } catch (error) {
      worker.terminate();
      throw error;
    }
  }

  /**
   * @internal Whether the engine runs in a child process (it uses RPC workers), so a
   * native abort ends that process, not this one.
   */
  get _isolated(): boolean {
    return this.#worker instanceof EngineProcess;
  }

  /**
   * Resolves with the error that ended the engine on its own: its child process died
   * (an RPC worker went away, see {@link EngineOptions.rpc}) or its Worker failed. Never
   * resolves for an engine that is only disposed.
   */
  get failed(): Promise<Error> {
    return this.#failed.promise;
  }

  /**
   * Every device of every loaded ggml backend with its memory now, as
   * `ggml_backend_dev_memory` reports it: VRAM for a GPU (free is what the driver reports,
   * e.g. through Vulkan's memory budget), system RAM for the CPU device. Answered between
   * the engine's other work, not after it: it does not wait for a load or a generation.
   *
   * @returns the devices in ggml's order, memory in bytes
   * @throws {DisposedError} after {@link dispose}
   * @example
   * ```ts
   * import { Engine } from "@hearth/hearth";
   *
   * using engine = await Engine.start();
   * const [cpu] = await engine.devices();
   * console.log(cpu.name, cpu.memoryFreeBytes <= cpu.memoryTotalBytes); // "CPU" true
   * ```
   */
  async devices(): Promise<BackendDevice[]> {
    return await this._call("devices", {}) as BackendDevice[];
  }

  /** Whether {@link dispose} has run. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** @internal Sends a request; resolves with its result. */
  _call<K extends keyof Requests>(
    op: K,
    args: Requests[K],
    events: Pick<Listeners, "progress" | "pieces" | "started"> = {},
  ): Promise<unknown> {
    if (this.#disposed) return Promise.reject(new DisposedError("Engine"));
    const id = this.#nextId++;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    this.#pending.set(id, { resolve, reject, ...events });
    Atomics.add(this.#abortFlags, POSTED_INDEX, 1);
    this.#worker.postMessage({ id, op, args } as Request);
    return promise;
  }

  /** @internal Sends a request whose reply nobody awaits (frees). */
  _send<K extends keyof Requests>(op: K, args: Requests[K]): void {
    if (this.#disposed) return;
    this._call(op, args).catch(() => {});
  }

  /** @internal A fresh serial for an abortable job. */
  _serial(): number {
    return this.#nextSerial++;
  }

  /** @internal Stops job `serial` running in abort slot `slot`. */
  _abort(slot: number, serial: number): void {
    Atomics.store(this.#abortFlags, slot, serial);
    if (this.#worker instanceof EngineProcess) this.#worker.abort(slot, serial);
  }

  /** @internal Takes an abort slot for a context. */
  _takeSlot(): number {
    const slot = this.#freeSlots.pop();
    if (slot === undefined) {
      throw new RangeError(
        `Cannot create context: at most ${ABORT_SLOTS - 1} contexts may be live`,
      );
    }
    return slot;
  }

  /** @internal Returns a context's abort slot. */
  _releaseSlot(slot: number): void {
    this.#freeSlots.push(slot);
  }

  #receive(reply: Reply): void {
    const listeners = this.#pending.get(reply.id);
    if (!listeners) return;
    if ("pieces" in reply) {
      listeners.pieces?.(reply.pieces);
    } else if ("progress" in reply) {
      listeners.progress?.(reply.progress);
    } else if ("started" in reply) {
      listeners.started?.();
    } else {
      this.#pending.delete(reply.id);
      if ("error" in reply) listeners.reject(reviveError(reply.error));
      else listeners.resolve(reply.result);
      if (this.#disposed && this.#pending.size === 0) this.#worker.terminate();
    }
  }

  #fail(error: Error): void {
    for (const listeners of this.#pending.values()) listeners.reject(error);
    this.#pending.clear();
    this.#disposed = true;
    this.#worker.terminate();
    // After the requests' own errors have had their turn (serve answers them, then stops).
    setTimeout(() => this.#failed.resolve(error), 100);
  }

  /**
   * Stops every running job, frees every model, context and sampler in the Worker,
   * then ends it. Idempotent. Objects of this engine throw DisposedError afterwards.
   *
   * @example
   * ```ts
   * import { rejects } from "node:assert/strict";
   * import { DisposedError, Engine, loadModel } from "@hearth/hearth";
   *
   * const engine = await Engine.start();
   * const model = await loadModel("models/stories260K.gguf", { engine });
   * engine.dispose();
   * await rejects(model.tokenize("Hi"), DisposedError);
   * ```
   */
  dispose(): void {
    if (this.#disposed) return;
    for (let slot = 0; slot < ABORT_SLOTS; slot++) this._abort(slot, ABORT_ALL);
    this._send("shutdown", {});
    this.#disposed = true;
  }

  /** Same as {@link dispose}; for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Same as {@link dispose}. */
  close(): void {
    this.dispose();
  }
}
