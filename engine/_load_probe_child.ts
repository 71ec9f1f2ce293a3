/**
 * The child process of engine/load_probe.ts: loads a model with the engine's own native
 * code and exits. Run as `deno run -A _load_probe_child.ts '<json ProbeRequest>'`. A
 * file that makes llama.cpp abort kills only this process; the parent reads the signal
 * and the last lines of stderr, where llama.cpp's log and ggml's assert message go.
 *
 * On success it writes one JSON line to stdout: `{"ok":true}` for a load, or
 * `{"ok":true,"probe":...,"devices":...}` for a memory simulation. A load llama.cpp
 * refuses (it returns NULL) writes `{"ok":false,"name":...,"message":...}` and exits 0:
 * that is an ordinary error, not a crash.
 *
 * @module
 */
import { GGML_LOG_LEVEL } from "../ffi/log_capture.ts";
import { NativeLibraries } from "../ffi/library.ts";
import { NativeContext } from "./worker/native_context.ts";
import { NativeModel } from "./worker/native_model.ts";
import { probeMemory, type ProbeOptions } from "./worker/memory_probe.ts";

/** What the parent asks for; see engine/load_probe.ts. */
export interface ProbeRequest {
  dir: string;
  preloadDirs: string[];
  path: string;
  /**
   * "load": a real load, a small context and a one-token decode; "vocab": a
   * tokenizer-only load; "memory": the `no_alloc` simulation.
   */
  mode: "load" | "vocab" | "memory";
  nGpuLayers: number;
  useMmap: boolean;
  /** For "memory": the simulated context. */
  memory?: ProbeOptions;
}

/** Context of the test decode: the smallest llama.cpp makes (it rounds up to 256). */
const PROBE_N_CTX = 256;

function run(request: ProbeRequest): Record<string, unknown> {
  // Info and up: the lines before an abort say what llama.cpp was doing.
  const libs = new NativeLibraries(request.dir, request.preloadDirs, GGML_LOG_LEVEL.info);
  if (request.mode === "memory") {
    return {
      ok: true,
      probe: probeMemory(libs, request.path, request.memory!),
      devices: libs.devices(),
    };
  }
  const model = NativeModel.load(libs, request.path, {
    nGpuLayers: request.nGpuLayers,
    useMmap: request.useMmap,
    vocabOnly: request.mode === "vocab",
  }, () => true);
  if (request.mode === "vocab") {
    model.free();
    return { ok: true };
  }
  const nThreads = Math.max(1, Math.min(4, navigator.hardwareConcurrency));
  const ctx = new NativeContext(
    model,
    {
      nCtx: PROBE_N_CTX,
      nBatch: 1,
      nUbatch: 1,
      nThreads,
      nSeqMax: 1,
      kvUnified: false,
      flashAttn: "auto",
      typeK: 1,
      typeV: 1,
      embeddings: false,
    },
    new Int32Array(1),
    0,
  );
  // Norm epsilons, rope and the kernels only run in a decode (a NaN epsilon asserts in
  // ggml-cpu's rms_norm): one token of id 0, which every vocabulary has.
  ctx.decode(0);
  ctx.free();
  model.free();
  return { ok: true };
}

if (import.meta.main) {
  let out: Record<string, unknown>;
  try {
    out = run(JSON.parse(Deno.args[0]) as ProbeRequest);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    out = { ok: false, name: e.name, message: e.message };
  }
  Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(out) + "\n"));
  // The libraries stay open: exit without unloading them (ggml's threads may linger).
  Deno.exit(0);
}
