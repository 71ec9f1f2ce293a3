/**
 * Adds llama.cpp RPC workers (`ggml-rpc-server`) as ggml devices, as llama.cpp's
 * `--rpc` does (common/arg.cpp `add_rpc_devices`): load the RPC backend library, ask
 * its registry for `ggml_backend_rpc_add_server`, register the registry it returns per
 * endpoint. The devices then take part in every later model load: llama.cpp puts RPC
 * devices first in the split and offloads `n_gpu_layers` across them and the GPUs.
 *
 * The prebuilt `@node-llama-cpp` packages have no RPC backend: `libggml-rpc` comes
 * from native/build.sh (`rpc` part), found in the libllama folder or in `searchDirs`.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { LibraryLoadError } from "./errors.ts";
import { GGML_RPC_PROCS } from "./ggml_symbols.ts";
import type { NativeLibraries } from "./library.ts";
import { cString } from "./strings.ts";

/** The RPC backend's library file name on this OS, as ggml's loader spells it. */
export function rpcLibraryName(os: typeof Deno.build.os = Deno.build.os): string {
  if (os === "windows") return "ggml-rpc.dll";
  return os === "darwin" ? "libggml-rpc.dylib" : "libggml-rpc.so";
}

/**
 * Registers one RPC device registry per endpoint. Idempotent per process only in the
 * sense ggml is: call it once per engine, before any model load.
 *
 * @param endpoints "HOST:PORT" each, already probed (an unreachable one aborts).
 * @param searchDirs Folders to look for the RPC backend library in after the libllama
 *   folder, in order.
 * @throws {LibraryLoadError} when no RPC backend library is found or loads, or it lacks
 *   `ggml_backend_rpc_add_server`, or an endpoint yields no registry.
 */
export function addRpcServers(
  libs: NativeLibraries,
  endpoints: readonly string[],
  searchDirs: readonly string[],
): void {
  if (endpoints.length === 0) return;
  const { ggml, base } = libs;
  // ggml's own log (not llama's) goes to stderr from here on. The RPC client logs from
  // its dispatcher thread ("send failed" when a worker goes away), and a Deno callback
  // called from another thread blocks until the engine Worker's thread runs it, while
  // that thread waits in a decode for the dispatcher: a deadlock instead of an abort.
  base.ggml_log_set(null, null);
  let reg = ggml.ggml_backend_reg_by_name(cString("RPC"));
  if (reg === null) {
    const dirs = [libs.dir, ...searchDirs];
    const path = dirs.map((dir) => join(dir, rpcLibraryName())).find((p) => existsSync(p));
    if (path === undefined) {
      throw new LibraryLoadError(
        `Cannot use --rpc: no ${rpcLibraryName()} in ${dirs.map((d) => `"${d}"`).join(", ")}; ` +
          "build it with native/build.sh rpc (the prebuilt packages have no RPC backend)",
      );
    }
    const mark = libs.log.mark();
    reg = ggml.ggml_backend_load(cString(path));
    if (reg === null) {
      throw new LibraryLoadError(`Cannot load the RPC backend "${path}": ${libs.log.reason(mark)}`);
    }
  }
  const address = base.ggml_backend_reg_get_proc_address(
    reg,
    cString("ggml_backend_rpc_add_server"),
  );
  if (address === null) {
    throw new LibraryLoadError(
      "Cannot use --rpc: the RPC backend lacks ggml_backend_rpc_add_server",
    );
  }
  const addServer = new Deno.UnsafeFnPointer(
    address as Deno.PointerObject<never>,
    GGML_RPC_PROCS.ggml_backend_rpc_add_server,
  );
  for (const endpoint of endpoints) {
    const serverReg = addServer.call(cString(endpoint));
    if (serverReg === null) {
      throw new LibraryLoadError(`Cannot add RPC worker ${endpoint}: ggml returned no registry`);
    }
    ggml.ggml_backend_register(serverReg);
  }
}
