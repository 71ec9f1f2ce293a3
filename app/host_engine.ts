/**
 * The model host's engine and switching it between device kinds: one engine started on
 * first use and shared by every caller, replaced when it ended on its own, and a new one
 * started on another prebuilt package when a load's `variant` asks for it (adopted only
 * once that load succeeds).
 *
 * @module
 */
import { DisposedError } from "../engine/errors.ts";
import { Engine, type EngineOptions } from "../engine/engine.ts";
import { detectDevices, type DeviceKind } from "../ffi/devices.ts";
import { LibraryLoadError } from "../ffi/errors.ts";
import { chooseVariant, machineFacts } from "../ffi/lib_dir.ts";

/** A new engine a load started on another package, with what it was started with. */
export interface FreshEngine {
  engine: Engine;
  options: EngineOptions;
}

/** Owns the host's engine: starts, replaces, switches and stops it. */
export class HostEngine {
  readonly #engineOptions: EngineOptions;
  /** What the running engine was started with (a load's `variant` changes it). */
  #currentOptions: EngineOptions;
  #engine: Promise<Engine> | undefined;
  #closed = false;
  readonly #startEngine: (options: EngineOptions) => Promise<Engine>;

  /**
   * @param engineOptions the host's own engine options (used when a load names no device)
   * @param startEngine starts an engine; default `Engine.start`
   */
  constructor(
    engineOptions: EngineOptions,
    startEngine: (options: EngineOptions) => Promise<Engine> = (options) => Engine.start(options),
  ) {
    this.#engineOptions = engineOptions;
    this.#currentOptions = engineOptions;
    this.#startEngine = startEngine;
  }

  /**
   * The engine, started on first use.
   *
   * @throws {DisposedError} after {@link close}.
   * @throws what starting the engine throws (the next call tries again).
   */
  async engine(): Promise<Engine> {
    if (this.#closed) throw new DisposedError("Engine");
    // An engine that ended on its own (its RPC child process died with a worker) is
    // replaced: the next load starts a fresh one, and the app lives on.
    const current = await this.#engine?.catch(() => undefined);
    if (current?.disposed && !this.#closed) this.#engine = undefined;
    // One start shared by every caller; one that finishes after close() is stopped at
    // once, or its Worker would keep the process alive after the app closed.
    this.#engine ??= this.#startEngine(this.#currentOptions).then((engine) => {
      if (!this.#closed) return engine;
      engine.dispose();
      throw new DisposedError("Engine");
    }, (error) => {
      this.#engine = undefined; // the next call tries again, with the host's own options
      this.#currentOptions = this.#engineOptions;
      throw error;
    });
    return await this.#engine;
  }

  /**
   * The engine a load on `device` runs on: the running one when it runs the package that
   * device kind maps to (no kind: when it runs the host's default package), else a new
   * engine on that package, returned as `fresh` for the caller to {@link adopt} or dispose.
   *
   * @throws the signal's reason when the load was cancelled before a new engine started.
   * @throws {LibraryLoadError} when `device` is not detected here (ffi/devices.ts: no
   *   package for this OS and CPU, no driver), or the new engine cannot start (its package
   *   cannot be fetched).
   */
  async engineFor(
    device: DeviceKind | undefined,
    signal: AbortSignal,
  ): Promise<{ engine: Engine; fresh?: FreshEngine }> {
    const wanted = this.#engineOptionsFor(device);
    if (this.#engine === undefined) this.#currentOptions = wanted; // the first start uses it
    const current = await this.engine();
    if (current.info.variant === this.#variantOf(wanted)) return { engine: current };
    signal.throwIfAborted(); // a load cancelled meanwhile starts no engine
    const engine = await this.#startEngine(wanted);
    if (this.#closed) {
      engine.dispose();
      throw new DisposedError("Engine");
    }
    return { engine, fresh: { engine, options: wanted } };
  }

  /** The engine options for `device`: the host's own for none, else its prebuilt package. */
  #engineOptionsFor(device: DeviceKind | undefined): EngineOptions {
    if (device === undefined) return this.#engineOptions;
    // Undetected kinds are refused rather than tried: a CUDA package is over 500 MB to fetch
    // for a machine without the driver to run it.
    const choice = detectDevices().find((d) => d.device === device)!;
    if (!choice.detected || choice.variant === null) {
      throw new LibraryLoadError(
        `Cannot load on ${device}: ${choice.reason.replace(/^./, (c) => c.toLowerCase())}; ` +
          `choose another device in the model's load options`,
      );
    }
    return { ...this.#engineOptions, libDir: undefined, variant: choice.variant };
  }

  /** The `EngineInfo.variant` an engine started with `options` reports. */
  #variantOf(options: EngineOptions): string {
    if (options.libDir !== undefined) return "custom";
    return options.variant ?? chooseVariant(machineFacts());
  }

  /** Makes `fresh` the host's engine; the previous one (its model already unloaded) is closed. */
  adopt(fresh: FreshEngine): void {
    const previous = this.#engine;
    this.#engine = Promise.resolve(fresh.engine);
    this.#currentOptions = fresh.options;
    previous?.then((old) => old.dispose(), () => {});
  }

  /**
   * Refuses further engines and stops the running one (in a later microtask, so a model
   * unloaded right after is freed first).
   */
  close(): void {
    this.#closed = true;
    this.#engine?.then((engine) => engine.dispose(), () => {});
  }
}
