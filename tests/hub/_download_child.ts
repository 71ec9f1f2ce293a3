/**
 * A download in its own process, for the kill-and-resume test: downloads one file from
 * the given hub and prints each progress report as a JSON line on stdout.
 *
 * Usage: deno run -A _download_child.ts <endpoint> <cacheDir> <repo> <file>
 *
 * @module
 */
import { downloadFile } from "../../hub/mod.ts";

const [endpoint, cacheDir, repo, file] = Deno.args;
const encoder = new TextEncoder();
await downloadFile(repo, file, {
  cacheDir,
  onProgress: (progress) => Deno.stdout.writeSync(encoder.encode(JSON.stringify(progress) + "\n")),
}, { endpoint });
console.log(JSON.stringify({ done: true }));
