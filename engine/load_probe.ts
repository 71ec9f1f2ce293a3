/**
 * Tries a load in a short-lived child process before the app's own process risks it.
 * llama.cpp aborts the whole process on some malformed models (a `GGML_ASSERT` at load
 * or in the first decode) and no TypeScript check foresees every assertion, so the
 * first load of a file, and the memory-fit simulation of a file not yet known good, run
 * in `deno run engine/_load_probe_child.ts` with the engine's own native code. A child
 * killed by a signal is the verdict that the file crashes llama.cpp:
 * {@link ModelCrashError}, with the signal and the last log lines.
 *
 * @module
 */
import { spawnEngineChild } from "./_child_process.ts";
import type { LibLocation } from "../ffi/lib_dir.ts";
import { EngineError, ModelCrashError, ModelLoadError } from "./errors.ts";
import type { ProbeRequest } from "./_load_probe_child.ts";
import { type LoadVerdict, LoadVerdicts } from "./load_verdicts.ts";

/** The verdicts of this process, for callers that keep none of their own. */
const processVerdicts = new LoadVerdicts();

/** `verdicts`, else the in-memory verdicts of this process. */
export function verdictsOf(verdicts?: LoadVerdicts): LoadVerdicts {
  return verdicts ?? processVerdicts;
}

/** Options of {@link checkLoadInChild}. */
export interface ChildLoadOptions {
  nGpuLayers: number;
  useMmap: boolean;
  /** Probe a tokenizer-only load (no context, no decode). */
  vocabOnly: boolean;
  /** Where verdicts are kept. Default: in memory, for this process. */
  verdicts?: LoadVerdicts;
  /** Kills the child; the call then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Default {@link PROBE_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/**
 * Makes sure `path` loads without killing the process: the first time a file is seen
 * (by path, size and mtime) it is loaded in a child process, and the verdict kept; later
 * calls only read the verdict.
 *
 * @returns How long the probe took in milliseconds; 0 when a kept verdict answered.
 * @throws {ModelCrashError} when the file crashed llama.cpp, now or before.
 * @throws {ModelLoadError} or {EngineError} when llama.cpp refused the file in the child.
 * @throws `signal.reason` when `signal` aborts.
 */
export async function checkLoadInChild(
  location: LibLocation,
  path: string,
  options: ChildLoadOptions,
): Promise<number> {
  const verdicts = verdictsOf(options.verdicts);
  const stamp = await LoadVerdicts.stamp(path);
  // A tokenizer-only load is a different load: it has its own verdict.
  const keyed = { ...stamp, path: options.vocabOnly ? `${path}\0vocab` : path };
  const known = await verdicts.get(keyed);
  if (known?.ok === false) throw crashError(path, known);
  if (known?.ok) return 0;
  try {
    const { elapsedMs } = await probeInChild(
      location,
      {
        path,
        mode: options.vocabOnly ? "vocab" : "load",
        nGpuLayers: options.nGpuLayers,
        useMmap: options.useMmap,
      },
      options.timeoutMs,
      options.signal,
    );
    await verdicts.set(keyed, { ok: true });
    return elapsedMs;
  } catch (error) {
    if (error instanceof ModelCrashError) {
      const { signal, exitCode, lastLogLines } = error;
      await verdicts.set(keyed, {
        ok: false,
        reason: error.reason,
        signal,
        exitCode,
        lastLogLines,
      });
    }
    throw error;
  }
}

/** The error of a crash verdict. */
export function crashError(path: string, verdict: LoadVerdict & { ok: false }): ModelCrashError {
  return new ModelCrashError(path, verdict.reason, verdict);
}

/**
 * How long a probe may run before it is killed, in milliseconds: a one-token decode
 * of a large model read from a slow disk takes minutes. @default 300 000
 */
export const PROBE_TIMEOUT_MS = 300_000;
/** Log lines kept from the child's stderr for the verdict. */
const LAST_LINES = 12;

/** What a probe asks of the child, less the library location. */
export type ProbeJob = Omit<ProbeRequest, "dir" | "preloadDirs">;

/** What a probe that ran to its end found. */
export interface ProbeAnswer {
  /** What the child wrote: `{ ok: true, ... }` with the memory probe for "memory" jobs. */
  result: Record<string, unknown>;
  /** Wall time of the child, in milliseconds. */
  elapsedMs: number;
}

/**
 * Runs `job` in a child process on the libraries at `location`.
 *
 * @param location The engine's libraries (the same ones the app loads).
 * @param job The file, the mode and the load options.
 * @param timeoutMs Kill the child after this many milliseconds. Default {@link PROBE_TIMEOUT_MS}.
 * @param signal Kills the child; the call then rejects with `signal.reason`.
 * @returns The child's answer when the load (or simulation) succeeded.
 * @throws {ModelCrashError} when a signal killed the child (SIGABRT from a `GGML_ASSERT`,
 *   SIGSEGV).
 * @throws {EngineError} when the child exited without an answer: it could not run.
 * @throws {ModelLoadError} or {EngineError} when llama.cpp refused the file (it returned
 *   NULL, as it does for most bad files) or the child timed out.
 * @throws `signal.reason` when `signal` aborts.
 */
export async function probeInChild(
  location: LibLocation,
  job: ProbeJob,
  timeoutMs: number = PROBE_TIMEOUT_MS,
  signal?: AbortSignal,
): Promise<ProbeAnswer> {
  signal?.throwIfAborted();
  const request: ProbeRequest = { ...job, dir: location.dir, preloadDirs: location.preloadDirs };
  const started = performance.now();
  const child = spawnEngineChild(
    new URL("./_load_probe_child.ts", import.meta.url),
    [JSON.stringify(request)],
    "null",
  );
  let timedOut = false;
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, timeoutMs);
  signal?.addEventListener("abort", kill, { once: true });
  const [status, stdout, lastLogLines] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    lastLines(child.stderr),
  ]).finally(() => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", kill);
  });
  signal?.throwIfAborted();
  const elapsedMs = performance.now() - started;
  if (timedOut) {
    throw new ModelLoadError(
      job.path,
      `a test load in a child process did not finish within ${timeoutMs / 1000} s; ` +
        "check the file and the disk, then try again",
    );
  }
  const answer = parseAnswer(stdout);
  if (status.success && answer?.ok === true) return { result: answer, elapsedMs };
  if (status.success && answer?.ok === false) {
    const message = String(answer.message);
    throw answer.name === "ModelLoadError"
      ? Object.assign(new ModelLoadError(job.path, ""), { message })
      : new EngineError(message);
  }
  const last = lastLogLines.findLast((line) => /GGML_ASSERT|error|abort/i.test(line)) ??
    lastLogLines.at(-1) ?? "no log";
  if (status.signal === null) {
    // An exit without an answer is the child failing to start (Deno could not run the
    // probe: no deno.json, a compiled binary), not llama.cpp aborting: no verdict.
    throw new EngineError(
      `Cannot test-load "${job.path}" in a child process: it exited with code ` +
        `${status.code} (${last}); run Hearth from its source folder`,
    );
  }
  throw new ModelCrashError(
    job.path,
    `llama.cpp crashed on this file: a test load in a child process was killed by ` +
      `${status.signal} (${last}); the file is marked broken and will not be loaded until ` +
      "it changes",
    { signal: status.signal, exitCode: null, lastLogLines },
  );
}

function parseAnswer(stdout: string): Record<string, unknown> | null {
  const line = stdout.trim().split("\n").at(-1) ?? "";
  try {
    const value = JSON.parse(line);
    return typeof value === "object" && value !== null ? value : null;
  } catch {
    return null;
  }
}

/** The last {@link LAST_LINES} non-empty lines of a stream, without path prefixes. */
async function lastLines(stream: ReadableStream<BufferSource>): Promise<string[]> {
  const lines: string[] = [];
  let partial = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    for (const part of parts) if (part.trim() !== "") lines.push(part.trim());
    if (lines.length > LAST_LINES * 4) lines.splice(0, lines.length - LAST_LINES);
  }
  if (partial.trim() !== "") lines.push(partial.trim());
  // ggml prefixes its asserts with the build machine's source path: keep the file name.
  return lines.slice(-LAST_LINES).map((line) => line.replace(/^\/\S*\/(?=[^/\s]+:\d+:)/, ""));
}
