/**
 * `hearth serve` (cli/serve.ts): argument checks, and a real process that serves a
 * model, prints its URL and exits 0 on SIGTERM.
 */
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { parseServeArgs } from "../../cli/serve.ts";
import { notHung } from "../_request_load.ts";
import { STORIES_260K, SYNTHETIC_135M } from "../models.ts";
import { readServeStart, reapServe } from "./_serve_start.ts";

const MAIN = new URL("./_serve_main.ts", import.meta.url).pathname;
const HEARTH_MAIN = new URL("../../main.ts", import.meta.url).pathname;

function serve(args: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("parseServeArgs() reads flags with defaults and refuses bad values", () => {
  const options = parseServeArgs([
    "-m",
    "/models/tiny.Q4.gguf",
    "--cors",
    "http://a.test,http://b.test:81",
  ]);
  assertEquals(options, {
    model: "/models/tiny.Q4.gguf",
    alias: "tiny.Q4",
    aliases: [],
    parallel: 4,
    kvUnified: true,
    nCtx: undefined,
    nBatch: 2048,
    nUbatch: 512,
    flashAttn: "auto",
    typeK: "f16",
    typeV: "f16",
    nGpuLayers: -1,
    nThreads: undefined,
    host: "127.0.0.1",
    port: 8080,
    apiKey: undefined,
    cors: ["http://a.test", "http://b.test:81"],
    chatTemplateFile: undefined,
    loras: [],
    modelDraft: undefined,
    draftMax: 16,
    draftMin: 0,
    draftPMin: 0.75,
    nGpuLayersDraft: -1,
    rpc: undefined,
    mmproj: undefined,
    allowImageUrls: false,
  });
  assertEquals(parseServeArgs(["-h"]), undefined);
  const draft = parseServeArgs(["-m", "x.gguf", "-md", "d.gguf", "--draft-max", "4"])!;
  assertEquals([draft.modelDraft, draft.draftMax], ["d.gguf", 4]);
  assertThrows(
    () => parseServeArgs(["-m", "x.gguf", "--draft-max", "2", "--draft-min", "3"]),
    RangeError,
    "--draft-min",
  );
  assertEquals(parseServeArgs(["-m", "x.gguf", "--rpc", "10.0.0.7:50052"])!.rpc, "10.0.0.7:50052");
  assertEquals(parseServeArgs(["-m", "x.gguf"], { rpc: "h:1" })!.rpc, "h:1");
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "--rpc", "10.0.0.7"]), RangeError, "--rpc");
  assertEquals(
    parseServeArgs(["-m", "x.gguf", "--mmproj", "p.gguf", "--allow-image-urls"])!.mmproj,
    "p.gguf",
  );
  assertEquals(
    parseServeArgs(["-m", "x.gguf", "--lora", "a.gguf", "--lora-scaled", "b.gguf", "0.5"])!.loras,
    [{ path: "a.gguf", scale: 1 }, { path: "b.gguf", scale: 0.5 }],
  );
  assertEquals(
    parseServeArgs(["-m", "x.gguf"], { apiKey: "from-env-key" })!.apiKey,
    "from-env-key",
  );
  assertThrows(() => parseServeArgs([]), TypeError, "-m");
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "--parallel", "0"]), RangeError, "--parallel");
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "-c", "big"]), RangeError, "--ctx-size");
  assertEquals(parseServeArgs(["-m", "x.gguf", "-t", "3"])!.nThreads, 3);
  assertEquals(parseServeArgs(["-m", "x.gguf", "--threads", "1"])!.nThreads, 1);
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "-t", "0"]), RangeError, "--threads");
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "-t", "513"]), RangeError, "--threads");
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "--port", "65536"]), RangeError, "--port");
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "--cors", "*"]), RangeError, "--cors");
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "--host", "0.0.0.0"]), RangeError, "API key");
  assertEquals(
    parseServeArgs(["-m", "x.gguf", "--host", "0.0.0.0", "--api-key", "k-123456789"])!.host,
    "0.0.0.0",
  );
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "--bogus"]), TypeError);
});

Deno.test("parseServeArgs() gives llama-server's flags llama-server's meaning", () => {
  const options = parseServeArgs([
    ...["-m", "x.gguf", "-c", "16384", "-np", "16", "-b", "1024", "-ub=256", "-fa", "on"],
    ...["-ctk", "q8_0", "-ctv", "q8_0", "-ngl", "12", "--alias", "a, b", "--jinja"],
  ])!;
  // An explicit -np leaves the pool split: 16384 / 16 tokens per slot, as llama-server.
  assertEquals(
    [options.nCtx, options.parallel, options.kvUnified, options.nBatch, options.nUbatch],
    [16384, 16, false, 1024, 256],
  );
  assertEquals([options.flashAttn, options.typeK, options.typeV], [true, "q8_0", "q8_0"]);
  assertEquals([options.nGpuLayers, options.alias, options.aliases], [12, "a", ["a", "b"]]);
  assertEquals(parseServeArgs(["-m", "x.gguf", "--parallel", "2", "-kvu"])!.kvUnified, true);
  // Auto slots (no -np) share one pool even with -no-kvu, as llama-server.
  assertEquals(parseServeArgs(["-m", "x.gguf", "-no-kvu"])!.kvUnified, true);
  assertEquals(parseServeArgs(["-m", "x.gguf", "-np=-1"])!.parallel, 4);
  assertEquals(parseServeArgs(["-m", "x.gguf", "-ngl", "all"])!.nGpuLayers, -1);
  assertEquals(parseServeArgs(["-m", "x.gguf", "-fa", "off"])!.flashAttn, false);
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "-fa", "maybe"]), RangeError, "--flash-attn");
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "-ctk", "q3"]), RangeError, "--cache-type-k");
});

Deno.test("parseServeArgs() follows llama-server's rules for -ub, auto -np, -kvu and --alias", () => {
  const parse = (...args: string[]) => parseServeArgs(["-m", "x.gguf", ...args])!;
  // llama_context lowers n_ubatch to n_batch rather than refusing it.
  assertEquals(parse("-ub", "4096").nUbatch, 2048);
  assertEquals(parse("-b", "256", "-ub", "512").nUbatch, 256);
  assertEquals(parse("-b", "256").nUbatch, 256);
  // server.cpp: any negative -np is auto, 4 slots sharing one pool, whatever -no-kvu says.
  assertEquals([parse("-np", "-1", "-no-kvu").kvUnified, parse("-np", "-1").parallel], [true, 4]);
  assertEquals([parse("-np", "-2").parallel, parse("-np", "-2").kvUnified], [4, true]);
  assertEquals(parse("-np", "2", "-kvu", "-no-kvu").kvUnified, false);
  // A std::set of names: the id is the alphabetically first.
  const named = parse("--alias", "zeta, alpha,zeta,");
  assertEquals([named.alias, named.aliases], ["alpha", ["alpha", "zeta"]]);
  // llama.cpp aborts with more sequences than n_batch: refused with the flags named.
  assertThrows(() => parse("-np", "8", "-b", "4"), RangeError, "--batch-size 4");
  assertThrows(() => parseServeArgs(["-m", "x.gguf", "--no-jinja"]), RangeError, "--no-jinja");
});

/** Runs `hearth serve` with `args`, asserts it exits 1 and returns what it printed on stderr. */
async function refusal(args: string[]): Promise<string> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stderr);
  assertEquals(code, 1, text);
  return text;
}

Deno.test("hearth serve refuses a KV cache that does not fit in memory, with the figures", async () => {
  const text = await refusal(["-m", SYNTHETIC_135M, "-c", "16777216", "-np", "4"]);
  assert(
    text.startsWith("hearth: Cannot serve with -c 16777216 (n_ctx 16777216, split over 4 slots)"),
    text,
  );
  assert(
    /CPU needs \d+ MiB \(KV cache \d+ MiB, weights \d+ MiB, compute \d+ MiB\)/.test(text),
    text,
  );
  const largest = /the largest -c that fits \(up to the training context per slot\) is (\d+)/
    .exec(text);
  assert(largest, text);
  // -c is split over the 4 slots, so the largest -c is 4 slots' worth: above the
  // model's training context of 8192 tokens (what one slot may hold).
  assert(Number(largest[1]) > 8192 && Number(largest[1]) % 4 === 0, text);
});

Deno.test("hearth serve refuses more slots than -b before loading, naming both flags", async () => {
  const text = await refusal(["-m", STORIES_260K, "-np", "8", "-b", "4"]);
  // Not llama.cpp's abort in the memory-fit child, reported as a broken model file.
  assert(text.startsWith("hearth: Cannot serve 8 slots with --batch-size 4"), text);
});

Deno.test("hearth serve serves until SIGTERM, then exits 0", async () => {
  const child = serve([
    "-m",
    STORIES_260K,
    "--port",
    "0",
    "-c",
    "1024",
    "--parallel",
    "2",
    "-t",
    "1",
    "--alias",
    "zeta,tiny",
  ], {
    HEARTH_API_KEY: "sk-serve-test-key",
  });
  const { line: out, url, lines } = await readServeStart(child);
  // -c is the whole KV cache, as llama-server's: 1024 split over 2 slots.
  assert(out.includes('"tiny"') && out.includes("2 slots of n_ctx 512, 1 thread;"), out);
  assertEquals(await (await fetch(`${url}/health`)).json(), { status: "ok" });
  const models = await fetch(`${url}/v1/models`, {
    headers: { authorization: "Bearer sk-serve-test-key" },
  });
  // llama-server's --alias: a sorted set, the first is the id, each name is served.
  const listed = (await models.json()).data[0];
  assertEquals([listed.id, listed.aliases], ["tiny", ["tiny", "zeta"]]);
  const byAlias = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { authorization: "Bearer sk-serve-test-key" },
    body: JSON.stringify({ model: "zeta", prompt: "Once upon a time", max_tokens: 2 }),
  });
  const completion = await byAlias.json();
  assertEquals([byAlias.status, completion.model], [200, "tiny"], JSON.stringify(completion));
  const unauthorized = await fetch(`${url}/v1/models`);
  assertEquals(unauthorized.status, 401);
  await unauthorized.body?.cancel();
  child.kill("SIGTERM");
  // Drain stdout to its end (the process closes it on exit).
  while (!(await lines.read()).done) { /* drain */ }
  await child.stderr.cancel();
  const status = await child.status;
  assertEquals(status.code, 0);
});

Deno.test("hearth serve refuses a public address without an API key", async () => {
  const text = await refusal(["-m", STORIES_260K, "--host", "0.0.0.0"]);
  assert(text.startsWith('hearth: Cannot serve on "0.0.0.0" without an API key'), text);
});

Deno.test("hearth serve drains on SIGTERM with requests running and queued, then exits 0", async () => {
  // main.ts itself: it ends by exitCode, so anything left running keeps it alive.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", HEARTH_MAIN, "serve", "-m", STORIES_260K, "--port", "0"]
      .concat(["-c", "2048", "--parallel", "1", "-t", "1"]),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const { url, lines } = await readServeStart(child);
    const complete = (body: Record<string, unknown>) =>
      fetch(`${url}/v1/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "stories260K", prompt: "Once upon a time", ...body }),
      });
    // What once wedged the server for good: its third 1-token request never answered.
    for (let i = 1; i <= 3; i++) {
      const response = await notHung(complete({ max_tokens: 1 }), `1-token request ${i}`);
      const body = await response.json();
      assertEquals(body.usage?.completion_tokens, 1, JSON.stringify(body));
    }
    // EOS banned: the stream holds the only slot until the server stops it.
    const stream = await complete({ max_tokens: 2000, logit_bias: { "2": -100 }, stream: true });
    const reading = stream.text();
    const queued = complete({ max_tokens: 8 }).then((r) => r.text());
    const metrics = () => fetch(`${url}/metrics`).then((r) => r.text());
    await notHung(
      (async () => {
        while (!(await metrics()).includes("hearth_requests_queued 1")) { /* poll */ }
      })(),
      "the second request's place in the queue",
    );
    child.kill("SIGTERM");
    assert((await notHung(reading, "the stream after SIGTERM")).endsWith("data: [DONE]\n\n"));
    await notHung(queued, "the queued request after SIGTERM");
    while (!(await lines.read()).done) { /* drain */ }
    const status = await notHung(child.status, "serve's exit after SIGTERM");
    assertEquals(status.code, 0);
  } finally {
    await reapServe(child);
  }
});
