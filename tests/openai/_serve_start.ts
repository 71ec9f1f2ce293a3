/**
 * Reading `hearth serve`'s startup line from a child process, for the tests that start
 * the real command.
 *
 * @module
 */
import { assert } from "../assert.ts";
import { notHung } from "../_request_load.ts";

/** What a started `hearth serve` said first, and its stdout for the rest. */
export interface ServeStart {
  /** The startup line (up to and including its newline). */
  line: string;
  /** The server's origin, `http://127.0.0.1:PORT`, from the line's `/v1` address. */
  url: string;
  /** The child's stdout after the line: read it to the end (drain) before the exit. */
  lines: ReadableStreamDefaultReader<string>;
}

/**
 * Reads `child`'s stdout up to the startup line's newline.
 *
 * @throws an assertion error if the child closes stdout first or the line has no URL;
 *   `notHung`'s error if no line comes in time
 */
export async function readServeStart(child: Deno.ChildProcess): Promise<ServeStart> {
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await notHung(lines.read(), "serve's start");
    assert(!done, `serve exited early: ${line}`);
    line += value;
  }
  const url = /(http:\/\/\S+)\/v1/.exec(line)?.[1];
  assert(url, `no address in the startup line: ${line}`);
  return { line, url, lines };
}

/** Kills `child` (SIGKILL, if it still runs), drops its stderr and waits for its exit. */
export async function reapServe(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
  await child.stderr.cancel().catch(() => {});
  await child.status;
}
