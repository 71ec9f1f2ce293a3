/**
 * The libggml and libggml-base symbols Hearth uses: backend loading (GGML_BACKEND_DL
 * builds ship each backend as its own library, loaded before any model), device
 * listing, and threadpool parameters. Spelled as in the pinned ggml.h and
 * ggml-backend.h. Devices and registries are owned by ggml for the process lifetime.
 *
 * @module
 */

const p = "pointer" as const;

/** Symbols of libggml: the backend registry. */
export const GGML_SYMBOLS = {
  ggml_backend_load_all_from_path: { parameters: ["buffer"], result: "void" },
  ggml_backend_load: { parameters: ["buffer"], result: p }, // registry owned by ggml
  ggml_backend_dev_count: { parameters: [], result: "usize" },
  ggml_backend_dev_get: { parameters: ["usize"], result: p }, // device owned by ggml
  ggml_backend_dev_by_type: { parameters: ["i32"], result: p }, // NULL if none
  ggml_backend_reg_count: { parameters: [], result: "usize" },
  ggml_backend_reg_get: { parameters: ["usize"], result: p },
  ggml_backend_reg_by_name: { parameters: ["buffer"], result: p }, // NULL if not loaded
  ggml_backend_register: { parameters: [p], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** Symbols of libggml-base: device properties, threadpool parameters. */
export const GGML_BASE_SYMBOLS = {
  ggml_backend_dev_name: { parameters: [p], result: p }, // static string
  ggml_backend_dev_description: { parameters: [p], result: p }, // static string
  ggml_backend_dev_type: { parameters: [p], result: "i32" },
  ggml_backend_dev_memory: { parameters: [p, "buffer", "buffer"], result: "void" },
  ggml_backend_dev_backend_reg: { parameters: [p], result: p },
  ggml_backend_reg_name: { parameters: [p], result: p }, // static string
  ggml_backend_reg_get_proc_address: { parameters: [p, "buffer"], result: p },
  ggml_threadpool_params_init: { parameters: ["buffer", "i32"], result: "void" },
  ggml_log_set: { parameters: [p, p], result: "void" }, // NULL: ggml's stderr logger
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * The CPU backend's threadpool functions, reached through
 * `ggml_backend_reg_get_proc_address` as llama-bench does (they live in the
 * dynamically loaded CPU backend). The threadpool is owned by whoever created it and
 * freed with `ggml_threadpool_free` after every context using it is freed.
 */
export const GGML_CPU_PROCS = {
  ggml_threadpool_new: { parameters: ["buffer"], result: p },
  ggml_threadpool_free: { parameters: [p], result: "void" },
} as const;

/**
 * The RPC backend's function, reached through `ggml_backend_reg_get_proc_address` of
 * the "RPC" registry as llama.cpp's common/arg.cpp does for `--rpc`: it connects to
 * an `ggml-rpc-server` endpoint ("HOST:PORT") and returns a registry of its devices,
 * owned by ggml for the process lifetime. It aborts the process when it cannot
 * connect: callers probe the endpoint first (engine/rpc_endpoints.ts).
 */
export const GGML_RPC_PROCS = {
  ggml_backend_rpc_add_server: { parameters: ["buffer"], result: p },
} as const;

/** `enum ggml_backend_dev_type` (ggml-backend.h). */
export const GGML_BACKEND_DEVICE_TYPE = ["CPU", "GPU", "IGPU", "ACCEL", "META"] as const;

/** The opened libggml. */
export type GgmlLib = Deno.DynamicLibrary<typeof GGML_SYMBOLS>["symbols"];
/** The opened libggml-base. */
export type GgmlBaseLib = Deno.DynamicLibrary<typeof GGML_BASE_SYMBOLS>["symbols"];
