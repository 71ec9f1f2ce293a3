/**
 * `hearth generate` end to end: `deno run -A main.ts generate ...` as a child process
 * from the repository root, on the real stories260K model.
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";
import { STORIES_260K, STORIES_260K_DRAFT4, SYNTHETIC_135M } from "../models.ts";
import { writeCraftedModels } from "../crafted_models.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Runs main.ts with `args`; returns the exit code and the decoded output. */
async function hearth(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

/** Asserts the failure shape every expected error has: status 1, one stderr line, no stack. */
function assertOneLineError(run: { code: number; stdout: string; stderr: string }): string {
  assertEquals(run.code, 1, `stderr: ${run.stderr}`);
  const lines = run.stderr.split("\n").filter((line) => line !== "");
  assertEquals(lines.length, 1, `expected one stderr line, got:\n${run.stderr}`);
  assert(lines[0].startsWith("hearth: "), lines[0]);
  assert(!/error:|\n\s+at /.test(run.stderr), `stack trace in:\n${run.stderr}`);
  assertEquals(run.stdout, "");
  return lines[0];
}

Deno.test("hearth generate streams the greedy completion, not the prompt", async () => {
  const run = await hearth(
    "generate",
    "-m",
    STORIES_260K,
    "--temp",
    "0",
    "-n",
    "16",
    "-p",
    "Once upon a time",
  );
  assertEquals(run.code, 0, run.stderr);
  assert(run.stdout.startsWith(", there was a little girl named Lily"), run.stdout);
  assertEquals(run.stderr, "");
});

Deno.test("hearth generate --json prints one object with finish_reason and metrics", async () => {
  const run = await hearth(
    "generate",
    "-m",
    STORIES_260K,
    "--temp",
    "0",
    "-n",
    "16",
    "-p",
    "Once upon a time",
    "--json",
  );
  assertEquals(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n");
  assertEquals(lines.length, 1, run.stdout);
  const result = JSON.parse(lines[0]);
  assertEquals(Object.keys(result).sort(), ["finish_reason", "metrics", "text"]);
  assert(result.text.startsWith(", there was a little girl named Lily"), result.text);
  assertEquals(result.finish_reason, "length");
  assertEquals(result.metrics.generatedTokens, 16);
  assertEquals(result.metrics.promptTokens, 5);
  assert(result.metrics.genTokPerSec > 0);
});

Deno.test("hearth generate defaults -m to the bundled model, from any cwd", async () => {
  const cwd = Deno.makeTempDirSync();
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${ROOT}main.ts`,
        "generate",
        "--temp",
        "0",
        "-n",
        "8",
        "-p",
        "Once upon a time",
      ],
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(code, 0, new TextDecoder().decode(stderr));
    assert(new TextDecoder().decode(stdout).startsWith(", there was a little girl"));
  } finally {
    Deno.removeSync(cwd, { recursive: true });
  }
});

Deno.test("hearth generate on a missing model fails with one line", async () => {
  const line = assertOneLineError(await hearth("generate", "-m", "no/such/model.gguf", "-p", "x"));
  assert(line.includes('Cannot load model "no/such/model.gguf": no such file'), line);
});

Deno.test("hearth generate on an invalid GGUF fails with one line", async () => {
  const path = Deno.makeTempFileSync({ suffix: ".gguf" });
  try {
    Deno.writeFileSync(path, crypto.getRandomValues(new Uint8Array(4096)));
    const line = assertOneLineError(await hearth("generate", "-m", path, "-p", "x"));
    assert(line.includes("Invalid GGUF file"), line);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("hearth generate on a model that would crash llama.cpp fails with one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const crafted = await writeCraftedModels(dir);
    const cases = [
      [crafted.zeroLayers, "llama.block_count is 0"],
      [crafted.nanEpsilon, "llama.attention.layer_norm_rms_epsilon is NaN"],
      [crafted.negativeEpsilon, "llama.attention.layer_norm_rms_epsilon is -1"],
    ];
    for (const [path, says] of cases) {
      // Before the checks, llama.cpp aborted the process: exit 134 and an assert on stderr.
      const line = assertOneLineError(await hearth("generate", "-m", path, "-p", "x"));
      assert(line.includes(`Invalid GGUF file "${path}"`) && line.includes(says), line);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hearth generate --temp -1 fails naming temperature", async () => {
  const line = assertOneLineError(
    await hearth("generate", "-m", STORIES_260K, "-p", "x", "--temp", "-1"),
  );
  assert(line.includes("temperature"), line);
  assert(line.includes("--temp"), line);
});

Deno.test("hearth generate with a prompt longer than -c fails mentioning n_ctx", async () => {
  const prompt = "Once upon a time there was a little girl. ".repeat(60);
  const line = assertOneLineError(
    await hearth("generate", "-m", STORIES_260K, "-c", "32", "-p", prompt),
  );
  assert(line.includes("n_ctx"), line);
});

Deno.test("hearth rejects unknown flags and commands with one line", async () => {
  assert(assertOneLineError(await hearth("generate", "-p", "x", "--bogus")).includes("--bogus"));
  assert(assertOneLineError(await hearth("frobnicate")).includes("frobnicate"));
});

Deno.test("hearth --help prints usage from the option table", async () => {
  const run = await hearth("--help");
  assertEquals(run.code, 0, run.stderr);
  for (const text of ["generate", "chat", "bench", "-ngl", "HEARTH_LIB_DIR", "HEARTH_VARIANT"]) {
    assert(run.stdout.includes(text), `help lacks ${text}`);
  }
});

Deno.test("hearth generate -md DRAFT prints the same greedy text, with the draft's counts", async () => {
  const args = ["generate", "-m", STORIES_260K, "-p", "Once upon a time", "-n", "24"];
  const common = [...args, "--temp", "0", "-t", "1", "--json"];
  const plain = await hearth(...common);
  const drafted = await hearth(...common, "-md", STORIES_260K_DRAFT4, "--draft-max", "4");
  assertEquals([plain.code, drafted.code], [0, 0], drafted.stderr);
  const [a, b] = [JSON.parse(plain.stdout), JSON.parse(drafted.stdout)];
  assertEquals(b.text, a.text);
  assertEquals(a.metrics.draftTokens, undefined);
  assert(b.metrics.draftAcceptedTokens <= b.metrics.draftTokens, drafted.stdout);
  // Another vocabulary: one clear line.
  const line = assertOneLineError(await hearth(...args, "-md", SYNTHETIC_135M));
  assert(line.includes("as the draft model: its vocabulary type is BPE, the target's SPM"), line);
});

Deno.test("hearth generate --mmproj --image reads images; bad ones are one-line errors", async () => {
  const { MTMD_BUILT, CORRUPT_PNG, RED_PNG } = await import("../_images.ts");
  const { STORIES_260K_MMPROJ } = await import("../models.ts");
  const noMmproj = await hearth("generate", "-m", STORIES_260K, "-p", "Hi", "--image", "x.png");
  assert(assertOneLineError(noMmproj).includes("--image without --mmproj"));
  if (!MTMD_BUILT) return;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/red.png`, RED_PNG);
    await Deno.writeFile(`${dir}/bad.png`, CORRUPT_PNG);
    const args = ["generate", "-m", STORIES_260K, "--mmproj", STORIES_260K_MMPROJ, "-n", "4"];
    const ok = await hearth(
      ...args,
      "--temp",
      "0",
      "--json",
      "-p",
      "Once",
      "--image",
      `${dir}/red.png`,
    );
    assertEquals(ok.code, 0, ok.stderr);
    assertEquals(JSON.parse(ok.stdout).metrics.generatedTokens, 4);
    const bad = await hearth(...args, "-p", "Once", "--image", `${dir}/bad.png`);
    assert(assertOneLineError(bad).includes("image 1 of 1"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
