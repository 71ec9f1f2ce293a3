/**
 * A real `main.ts` process on a data folder, for the tests that start the app itself
 * (one app per data folder, jobs that survive SIGKILL).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { assert } from "../assert.ts";
import { waitFor } from "../server/_app_api.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SERVING = /Hearth is serving on (http:\/\/\S+)/;

/**
 * `main.ts` with `args` (default `--headless`) on data folder `home` (HEARTH_HOME), its
 * stderr collected as it comes in `stderr`.
 */
export class AppProcess {
  readonly child: Deno.ChildProcess;
  stderr = "";
  readonly #done: Promise<void>;

  constructor(home: string, args: string[] = ["--headless"]) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", ...args],
      cwd: ROOT,
      // No DISPLAY: a start without --headless would open a browser, never a window.
      env: { HEARTH_HOME: home, DISPLAY: "", WAYLAND_DISPLAY: "" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.#done = this.child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (text) => void (this.stderr += text) }),
    );
  }

  /** Waits for the "serving on" line; returns its launch URL. */
  serving(): Promise<string> {
    return waitFor(`"serving on" from pid ${this.child.pid}`, () => SERVING.exec(this.stderr)?.[1]);
  }

  /**
   * Waits for the process to exit; returns its status and everything it printed.
   *
   * @throws {AssertionError} after `timeoutMs` (it is killed then): it hung.
   */
  async exit(timeoutMs = 60_000): Promise<{ code: number; stderr: string }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<"hung">((resolve) =>
      timer = setTimeout(() => resolve("hung"), timeoutMs)
    );
    const status = await Promise.race([this.child.status, hung]).finally(() => clearTimeout(timer));
    if (status === "hung") this.child.kill("SIGKILL");
    await this.#done;
    assert(status !== "hung", `pid ${this.child.pid} did not exit; it printed:\n${this.stderr}`);
    return { code: status.code, stderr: this.stderr };
  }

  /** SIGTERM (the app closes and exits 0); returns its exit. */
  stop(): Promise<{ code: number; stderr: string }> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // already exited
    }
    return this.exit();
  }
}
