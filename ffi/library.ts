/**
 * Opens libggml-base, libggml and libllama from one folder, loads the ggml backends
 * found there (GGML_BACKEND_DL: nothing runs until they are loaded), captures
 * llama.cpp's log, and makes CPU threadpools. Runs in the engine Worker only.
 *
 * @module
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { LibraryLoadError } from "./errors.ts";
import { LLAMA_SYMBOLS, type LlamaLib } from "./llama_symbols.ts";
import {
  GGML_BACKEND_DEVICE_TYPE,
  GGML_BASE_SYMBOLS,
  GGML_CPU_PROCS,
  GGML_SYMBOLS,
  type GgmlBaseLib,
  type GgmlLib,
} from "./ggml_symbols.ts";
import { LogCapture } from "./log_capture.ts";
import { ggml_threadpool_params } from "./structs.ts";
import { cString, readCString } from "./strings.ts";

/** A ggml compute device (a CPU, a GPU) as ggml reports it. */
export interface DeviceInfo {
  /** ggml's device name, e.g. "CPU", "Vulkan0", "CUDA0". */
  name: string;
  description: string;
  /** "CPU", "GPU", "IGPU", "ACCEL" or "META" (`enum ggml_backend_dev_type`). */
  type: string;
  /** The backend the device belongs to, e.g. "CPU", "Vulkan". */
  backend: string;
  /** Free device memory in bytes, as the backend reports it. */
  memoryFreeBytes: number;
  /** Total device memory in bytes. */
  memoryTotalBytes: number;
}

type ThreadpoolNew = Deno.UnsafeFnPointer<typeof GGML_CPU_PROCS.ggml_threadpool_new>;
type ThreadpoolFree = Deno.UnsafeFnPointer<typeof GGML_CPU_PROCS.ggml_threadpool_free>;

/** The opened libraries of one folder; owned by the engine Worker, closed once. */
export class NativeLibraries {
  readonly llama: LlamaLib;
  readonly ggml: GgmlLib;
  readonly base: GgmlBaseLib;
  readonly log: LogCapture;
  readonly dir: string;
  readonly #libs: Deno.DynamicLibrary<Deno.ForeignLibraryInterface>[];
  readonly #threadpoolNew: ThreadpoolNew;
  readonly #threadpoolFree: ThreadpoolFree;

  /**
   * Opens the libraries in `dir` after the ones in `preloadDirs`, loads every ggml
   * backend in `dir` and initialises llama.cpp.
   *
   * @throws {LibraryLoadError} when a library is missing or fails to open, or when no
   *   CPU backend loads.
   */
  constructor(dir: string, preloadDirs: readonly string[] = [], echoLevel = 5) {
    this.dir = dir;
    this.#libs = [];
    // Without it, a GGML_ABORT runs gdb to print a backtrace, on stdout.
    Deno.env.set("GGML_NO_BACKTRACE", "1");
    for (const extra of preloadDirs) {
      for (const file of readdirSync(extra).filter(isSharedLibrary)) {
        this.#libs.push(openLibrary(join(extra, file), {}));
      }
    }
    const files = readdirSync(dir);
    const find = (stem: string) => {
      // libllama.so (llama.cpp's build), libllama.v0.5.0.so, libllama.vulkan.v0.5.0.so
      // (prebuilt packages), llama.dll; never libllama-common or libggml-base.
      const pattern = new RegExp(`^(lib)?${stem}(\\.[a-z]+)?(\\.v[\\d.]+)?\\.(so|dylib|dll)$`);
      const file = files.find((name) => pattern.test(name));
      if (!file) {
        throw new LibraryLoadError(`Cannot find ${stem} in "${dir}": no lib${stem} library there`);
      }
      return join(dir, file);
    };
    const base = openLibrary(find("ggml-base"), GGML_BASE_SYMBOLS);
    const ggml = openLibrary(find("ggml"), GGML_SYMBOLS);
    const llama = openLibrary(find("llama"), LLAMA_SYMBOLS);
    this.#libs.push(base, ggml, llama);
    this.base = base.symbols;
    this.ggml = ggml.symbols;
    this.llama = llama.symbols;

    this.log = new LogCapture(echoLevel);
    this.llama.llama_log_set(this.log.callback.pointer, null);
    // The registry lives in libggml, once per process: a second engine on the same
    // folder must not register every backend twice.
    if (this.ggml.ggml_backend_reg_count() === 0n) {
      this.ggml.ggml_backend_load_all_from_path(cString(dir));
    }
    const cpu = this.ggml.ggml_backend_dev_by_type(0);
    if (cpu === null) {
      this.close();
      throw new LibraryLoadError(`Cannot load the CPU backend from "${dir}": ${this.log.recent()}`);
    }
    const reg = this.base.ggml_backend_dev_backend_reg(cpu);
    const proc = (name: keyof typeof GGML_CPU_PROCS): Deno.PointerObject<never> => {
      const address = this.base.ggml_backend_reg_get_proc_address(reg, cString(name));
      if (address === null) throw new LibraryLoadError(`Cannot find ${name} in the CPU backend`);
      return address as Deno.PointerObject<never>;
    };
    this.#threadpoolNew = new Deno.UnsafeFnPointer(
      proc("ggml_threadpool_new"),
      GGML_CPU_PROCS.ggml_threadpool_new,
    );
    this.#threadpoolFree = new Deno.UnsafeFnPointer(
      proc("ggml_threadpool_free"),
      GGML_CPU_PROCS.ggml_threadpool_free,
    );
    this.llama.llama_backend_init();
  }

  /** The devices of every loaded backend. */
  devices(): DeviceInfo[] {
    const out: DeviceInfo[] = [];
    const count = Number(this.ggml.ggml_backend_dev_count());
    const free = new BigUint64Array(1);
    const total = new BigUint64Array(1);
    for (let i = 0; i < count; i++) {
      const dev = this.ggml.ggml_backend_dev_get(BigInt(i));
      this.base.ggml_backend_dev_memory(dev, free, total);
      out.push({
        name: readCString(this.base.ggml_backend_dev_name(dev)),
        description: readCString(this.base.ggml_backend_dev_description(dev)),
        type: GGML_BACKEND_DEVICE_TYPE[this.base.ggml_backend_dev_type(dev)] ?? "unknown",
        backend: readCString(
          this.base.ggml_backend_reg_name(this.base.ggml_backend_dev_backend_reg(dev)),
        ),
        memoryFreeBytes: Number(free[0]),
        memoryTotalBytes: Number(total[0]),
      });
    }
    return out;
  }

  /** llama.cpp's system info line (CPU features the backend was built for). */
  systemInfo(): string {
    return readCString(this.llama.llama_print_system_info());
  }

  /**
   * Starts a persistent CPU threadpool of `nThreads` threads, as llama-bench does;
   * the caller frees it with {@link freeThreadpool} after its contexts are freed.
   *
   * @throws {RangeError} when `nThreads` is not an integer in 1..GGML_MAX_N_THREADS.
   */
  newThreadpool(nThreads: number): Deno.PointerObject {
    const params = new Uint8Array(ggml_threadpool_params.size);
    this.base.ggml_threadpool_params_init(params, nThreads);
    const pool = this.#threadpoolNew.call(params);
    if (pool === null) throw new LibraryLoadError(`Cannot start a threadpool of ${nThreads}`);
    return pool;
  }

  /** Stops a threadpool made by {@link newThreadpool}. */
  freeThreadpool(pool: Deno.PointerObject): void {
    this.#threadpoolFree.call(pool);
  }

  /** Detaches the log callback and closes the libraries; call once, last. */
  close(): void {
    // NULL restores llama.cpp's stderr logger, so no thread calls a freed callback.
    this.llama.llama_log_set(null, null);
    this.log.close();
    for (const lib of this.#libs.reverse()) lib.close();
  }
}

function isSharedLibrary(name: string): boolean {
  return /\.(so(\.\d+)*|dylib|dll)$/.test(name);
}

function openLibrary<S extends Deno.ForeignLibraryInterface>(
  path: string,
  symbols: S,
): Deno.DynamicLibrary<S> {
  try {
    return Deno.dlopen(path, symbols);
  } catch (error) {
    throw new LibraryLoadError(`Cannot open "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}
