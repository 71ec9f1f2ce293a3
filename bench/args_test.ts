import { assertEquals, assertThrows } from "../tests/assert.ts";
import { BENCH_HELP, parseBenchArgs } from "./_args.ts";

Deno.test("parseBenchArgs() takes llama-bench's spellings, lists and defaults", () => {
  assertEquals(
    parseBenchArgs([
      ...["-m", "x.gguf", "-p", "16,32", "-n", "8", "-ub", "64", "-ngl", "0", "-fa", "1"],
      ...["-r", "2", "-t", "1", "-b=128", "-o", "json", "--parallel", "1,4"],
    ]),
    {
      model: "x.gguf",
      nPrompt: [16, 32],
      nGen: [8],
      repetitions: 2,
      nThreads: 1,
      nBatch: 128,
      nUbatch: 64,
      nGpuLayers: 0,
      flashAttn: true,
      output: "json",
      compare: undefined,
      serveCompare: undefined,
      http: false,
      parallel: [1, 4],
      clients: undefined,
      sharedPrefix: undefined,
      libDir: undefined,
      variant: undefined,
      modelDraft: undefined,
      draftMax: 16,
      draftMin: 0,
      draftPMin: 0.75,
      nGpuLayersDraft: -1,
      rpc: undefined,
      db: undefined,
      noDb: false,
    },
  );
  assertEquals(parseBenchArgs(["-m", "x.gguf", "--no-db"])!.noDb, true);
  assertEquals(parseBenchArgs(["-m", "x.gguf", "--db", "/tmp/b.db"])!.db, "/tmp/b.db");
  assertEquals(
    parseBenchArgs(["-m", "x.gguf", "-md", "d.gguf", "--draft-p-min", "0"])!.modelDraft,
    "d.gguf",
  );
  const defaults = parseBenchArgs(["-m", "x.gguf"])!;
  assertEquals(
    [defaults.nPrompt, defaults.nGen, defaults.nUbatch, defaults.nGpuLayers, defaults.flashAttn],
    [[512], [128], 512, 99, "auto"],
  );
  assertEquals(
    parseBenchArgs([
      "-m",
      "x.gguf",
      "--serve-compare",
      "s",
      "--parallel",
      "1,16",
      "--clients",
      "1",
    ])!
      .clients,
    [1],
  );
  assertEquals(parseBenchArgs(["-h"]), undefined);
});

Deno.test("parseBenchArgs() refuses bad values and unknown flags, naming them", () => {
  assertThrows(() => parseBenchArgs([]), TypeError, "-m MODEL");
  assertThrows(() => parseBenchArgs(["-m", "x", "-p", "1,a"]), RangeError, "--n-prompt");
  assertThrows(() => parseBenchArgs(["-m", "x", "--parallel", "0"]), RangeError, "--parallel");
  assertThrows(() => parseBenchArgs(["-m", "x", "--clients", "0"]), RangeError, "--clients");
  assertThrows(() => parseBenchArgs(["-m", "x", "-fa", "2"]), RangeError, "--flash-attn");
  assertThrows(() => parseBenchArgs(["-m", "x", "-o", "xml"]), RangeError, "--output");
  assertThrows(() => parseBenchArgs(["-m", "x", "-ngl", "-2"]), RangeError, "--n-gpu-layers");
  assertThrows(() => parseBenchArgs(["-m", "x", "--bogus"]), TypeError, '"--bogus"');
});

Deno.test("bench --help lists every flag from the table", () => {
  for (const flag of ["-ub, --ubatch-size", "-ngl, --n-gpu-layers", "-fa, --flash-attn"]) {
    assertEquals(BENCH_HELP.includes(flag), true, flag);
  }
});
