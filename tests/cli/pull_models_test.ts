/**
 * `hearth pull` and `hearth models` as child processes against the fake hub (a real
 * HTTP server on 127.0.0.1), with the Hugging Face cache and the database in temp
 * folders.
 */
import { assert, assertEquals } from "../assert.ts";
import { fileURLToPath } from "node:url";
import { startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K, STORIES_260K_CHATML } from "../models.ts";
import { chooseFile, parsePullSpec } from "../../cli/pull.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

async function hearth(env: Record<string, string>, ...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: ROOT,
    env,
    stdin: "null",
  }).output();
  return {
    code,
    stdout: new TextDecoder().decode(stdout),
    stderr: new TextDecoder().decode(stderr),
  };
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("parsePullSpec() and chooseFile() read ORG/REPO[:QUANT|/FILE.gguf]", () => {
  assertEquals(parsePullSpec("org/repo"), { repo: "org/repo", quant: undefined, file: undefined });
  assertEquals(parsePullSpec("org/repo:q8_0").quant, "q8_0");
  assertEquals(parsePullSpec("org/repo/sub/a.gguf").file, "sub/a.gguf");
  const file = (path: string, quant: string | null) => ({
    path,
    quant,
    sizeBytes: 1,
    sha256: null,
    isMmproj: false,
    parts: [{ path, sizeBytes: 1, sha256: null }],
    complete: true,
  });
  const files = [file("m-Q8_0.gguf", "Q8_0"), file("m-Q4_K_M.gguf", "Q4_K_M")];
  assertEquals(chooseFile(files, { repo: "o/r" }).path, "m-Q4_K_M.gguf");
  assertEquals(chooseFile(files, { repo: "o/r", quant: "q8_0" }).path, "m-Q8_0.gguf");
});

Deno.test("hearth pull downloads into the HF cache; models lists, verifies and removes it", async () => {
  const hub = await startFakeHub({
    repos: [{
      id: "tiny/stories",
      files: [
        { path: "stories-F32.gguf", source: STORIES_260K },
        { path: "stories-Q4_K_M.gguf", source: STORIES_260K_CHATML },
      ],
    }],
  });
  const temp = await Deno.makeTempDir();
  const env = {
    HF_ENDPOINT: hub.endpoint,
    HF_HUB_CACHE: `${temp}/hub`,
    HEARTH_HOME: `${temp}/hearth`,
    HOME: temp,
    NO_COLOR: "1",
  };
  try {
    const pulled = await hearth(env, "pull", "tiny/stories");
    assertEquals(pulled.code, 0, pulled.stderr);
    const path = pulled.stdout.trim();
    assert(path.includes("models--tiny--stories/snapshots/"), path);
    assertEquals(await sha256(path), await sha256(STORIES_260K_CHATML));

    const listed = await hearth(env, "models", "--json");
    assertEquals(listed.code, 0, listed.stderr);
    const models = JSON.parse(listed.stdout);
    const entry = models.find((m: { path: string }) => m.path === path);
    assert(entry, listed.stdout);
    assertEquals(entry.hf.repo, "tiny/stories");
    assertEquals(entry.hasChatTemplate, true);

    const verified = await hearth(env, "models", "verify", entry.id);
    assertEquals(verified.code, 0, verified.stderr);
    assert(verified.stdout.startsWith("ok"), verified.stdout);

    const missing = await hearth(env, "pull", "tiny/nothing");
    assertEquals(missing.code, 1);
    assertEquals(missing.stderr.trim().split("\n").length, 1, missing.stderr);

    const removed = await hearth(env, "models", "rm", entry.id);
    assertEquals(removed.code, 0, removed.stderr);
    assert(!(await Deno.stat(path).then(() => true, () => false)), "the snapshot file is gone");
  } finally {
    await hub.close();
    await Deno.remove(temp, { recursive: true });
  }
});
