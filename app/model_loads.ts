/**
 * Starting a model load on the user's behalf: a file known to be broken is refused at
 * once (it never reaches llama.cpp, which can abort the process on bad input); any other
 * load runs on in the background and reports through the host's events; a file whose
 * load crashed llama.cpp is marked broken in the library.
 *
 * @module
 */
import { resolve } from "node:path";
import { GgufError, type ModelCrashError } from "../engine/errors.ts";
import { checkGgufFile } from "../engine/gguf_check.ts";
import { crashError, verdictsOf } from "../engine/load_probe.ts";
import { LoadVerdicts } from "../engine/load_verdicts.ts";
import type { ModelLibrary } from "../library/mod.ts";
import { ModelBrokenError } from "./errors.ts";
import type { ModelHost } from "./model_host.ts";

/**
 * Refuses `path` when the library lists it as broken, its header fails the checks, or it
 * crashed llama.cpp before (by path, size and mtime): all quick, unlike the load. Then
 * starts loading it with a context of `nCtx` tokens; progress and the outcome (`model` or
 * `load_error`) come as events. Other problems (a missing file) are the load's to report.
 *
 * @throws {ModelBrokenError} for a file known to be broken.
 * @throws {RangeError} when `nCtx` is not an integer >= 16.
 */
export async function startLoad(
  host: ModelHost,
  library: ModelLibrary,
  path: string,
  nCtx: number,
): Promise<void> {
  const listed = library.get(resolve(path));
  if (listed?.broken) {
    const reason = listed.brokenReason ?? "unknown reason";
    throw new ModelBrokenError(path, reason, `the library lists it as broken: ${reason}`);
  }
  if (!Number.isInteger(nCtx) || nCtx < 16) {
    throw new RangeError(`n_ctx must be an integer >= 16, got ${nCtx}`);
  }
  let reason: string | null = null;
  try {
    await checkGgufFile(path);
    const known = await verdictsOf(host.verdicts).get(await LoadVerdicts.stamp(path));
    if (known?.ok === false) reason = crashError(path, known).message;
  } catch (error) {
    if (error instanceof GgufError) reason = error.message;
  }
  if (reason !== null) throw new ModelBrokenError(path, reason);
  host.load(path, nCtx).catch(() => {});
}

/** Marks a file that crashed llama.cpp broken in the library, if it is listed there. */
export async function markCrashed(
  library: ModelLibrary,
  path: string,
  error: ModelCrashError,
): Promise<void> {
  try {
    await library.markBroken(resolve(path), await LoadVerdicts.stamp(path), error.reason);
  } catch {
    // The file vanished or the library closed: the verdict cache still holds the crash.
  }
}
