/**
 * A Deno child process that runs one of the engine's own scripts with the project's
 * config: what isolates llama.cpp code that may abort the process (a risky first load, an
 * RPC backend whose lost connection aborts).
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/**
 * Spawns `deno run -A` on `script` (a URL relative to engine/) with `args`, ggml's abort
 * backtrace off, stdout and stderr piped.
 *
 * @param stdin "piped" when the parent talks to the child, else "null".
 */
export function spawnEngineChild(
  script: URL,
  args: readonly string[],
  stdin: "piped" | "null",
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "--config",
      fileURLToPath(new URL("../deno.json", import.meta.url)),
      fileURLToPath(script),
      ...args,
    ],
    // Without it, ggml's abort runs gdb for a backtrace, which is slow and noisy.
    env: { GGML_NO_BACKTRACE: "1" },
    stdin,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}
