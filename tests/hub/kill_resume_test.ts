import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";
import { startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K } from "../models.ts";
import { cdnGets, rangeStart, sha256Hex } from "./_helpers.ts";
import { downloadFile } from "../../hub/mod.ts";

const CHILD = fileURLToPath(new URL("./_download_child.ts", import.meta.url));
const REPO = "ggml-org/models";
const FILE = "stories260K.gguf";

Deno.test("downloadFile() resumes from the partial file a killed process left", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "hub-cache-" });
  const hub = await startFakeHub({
    repos: [{ id: REPO, files: [{ path: FILE, source: STORIES_260K }] }],
  });
  try {
    hub.faults.bytesPerSecond = 200_000; // about 6 s for the whole file: the kill lands mid-body
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CHILD, hub.endpoint, cacheDir, REPO, FILE],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let reported = 0;
    for await (const line of lines(child.stdout)) {
      reported = JSON.parse(line).downloadedBytes ?? 0;
      if (reported >= 100_000) break;
    }
    child.kill("SIGKILL");
    const status = await child.status;
    await child.stderr.cancel();
    assertEquals(status.signal, "SIGKILL", "the child was killed, not finished");
    assert(reported >= 100_000, "the child reported progress before dying");

    const { sha256, size } = hub.file(REPO, FILE);
    const partial = join(cacheDir, "models--ggml-org--models", "blobs", `${sha256}.incomplete`);
    const leftBytes = (await Deno.stat(partial)).size;
    assert(leftBytes >= reported && leftBytes < size, `partial file holds ${leftBytes} bytes`);

    hub.faults.bytesPerSecond = 0;
    const result = await downloadFile(REPO, FILE, { cacheDir }, { endpoint: hub.endpoint });
    const resumed = cdnGets(hub).at(-1)!;
    assertEquals(rangeStart(resumed.range), leftBytes);
    assertEquals(resumed.status, 206);
    assertEquals(resumed.bytesSent, size - leftBytes);
    assertEquals(await sha256Hex(result.path), sha256);
    assertEquals(await Deno.stat(partial).then(() => true, () => false), false);
  } finally {
    await hub.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

/** The lines of a byte stream; stopping the iteration cancels the stream. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const bytes of stream) {
    buffer += decoder.decode(bytes, { stream: true });
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    yield* parts;
  }
}
