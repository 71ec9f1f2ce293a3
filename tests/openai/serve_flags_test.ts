/**
 * `hearth serve`'s llama-server flags as a real process applies them: the startup line
 * reports what llama.cpp made of `-c`, `-np`, `-b`, `-ub`, `-ctk`/`-ctv`, and
 * `GET /v1/models` gives llama-server's `meta.n_ctx` (one slot's tokens).
 */
import { assert, assertEquals } from "../assert.ts";
import { SYNTHETIC_135M } from "../models.ts";
import { readServeStart, reapServe } from "./_serve_start.ts";

const MAIN = new URL("./_serve_main.ts", import.meta.url).pathname;

/** Starts `hearth serve` with `args`, returns its startup line and /v1/models, stops it. */
async function startupOf(args: string[]): Promise<{ line: string; models: ModelList }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "-m", SYNTHETIC_135M, "--port", "0", "-t", "1", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const { line, url, lines } = await readServeStart(child);
    const models = await (await fetch(`${url}/v1/models`)).json() as ModelList;
    child.kill("SIGTERM");
    while (!(await lines.read()).done) { /* drain */ }
    return { line, models };
  } finally {
    await reapServe(child);
  }
}

interface ModelList {
  data: { id: string; meta: { n_ctx: number; n_ctx_train: number } }[];
}

const kvMib = (line: string) => Number(/KV cache ([\d.]+) MiB/.exec(line)?.[1]);

Deno.test("hearth serve applies -c, -np, -b, -ub and -ctk/-ctv as llama-server does", async () => {
  const common = ["-c", "1024", "-np", "2", "-b", "64", "-ub", "128", "-fa", "on"];
  const f16 = await startupOf(common);
  // -c is split over the slots; -ub above -b is lowered to it, as llama_context does.
  assert(f16.line.includes("(2 slots of n_ctx 512, 1 thread; n_batch 64, n_ubatch 64,"), f16.line);
  assert(f16.line.includes("(K f16, V f16)"), f16.line);
  assertEquals(f16.models.data[0].meta.n_ctx, 512);
  assertEquals(f16.models.data[0].meta.n_ctx_train, 8192);
  const q8 = await startupOf([...common, "-ctk", "q8_0", "-ctv", "q8_0"]);
  assert(q8.line.includes("(K q8_0, V q8_0)"), q8.line);
  // q8_0 stores 32 values in 34 bytes where f16 takes 64: the cache llama.cpp allocated.
  const ratio = kvMib(q8.line) / kvMib(f16.line);
  assert(Math.abs(ratio - 34 / 64) < 0.01, `${q8.line}\n${f16.line}`);
  // No -np: llama-server's auto slots, 4 sharing the whole -c.
  const auto = await startupOf(["-c", "2048"]);
  assert(auto.line.includes("(4 slots sharing n_ctx 2048,"), auto.line);
  assertEquals(auto.models.data[0].meta.n_ctx, 2048);
});
