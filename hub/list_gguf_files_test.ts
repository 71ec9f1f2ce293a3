import { assertEquals } from "../tests/assert.ts";
import { groupGgufFiles } from "./list_gguf_files.ts";

const entry = (path: string, size: number, oid?: string) => ({
  type: "file" as const,
  path,
  size: oid ? 134 : size,
  ...(oid ? { lfs: { oid, size } } : {}),
});

Deno.test("groupGgufFiles() groups shards in order and flags a missing part", () => {
  const files = groupGgufFiles([
    entry("m-Q4_K_M-00002-of-00003.gguf", 20, "b".repeat(64)),
    entry("m-Q4_K_M-00001-of-00003.gguf", 10, "a".repeat(64)),
    entry("n-Q8_0-00001-of-00002.gguf", 5, "c".repeat(64)),
  ]);
  assertEquals(files.map((f) => [f.path, f.sizeBytes, f.parts.length, f.complete]), [
    ["m-Q4_K_M-00001-of-00003.gguf", 30, 2, false],
    ["n-Q8_0-00001-of-00002.gguf", 5, 1, false],
  ]);
});

Deno.test("groupGgufFiles() takes sizes from LFS, quant labels from the name or folder", () => {
  const [inFolder, plain] = groupGgufFiles([
    entry("Q5_K_M/model-00001-of-00001.gguf", 7, "d".repeat(64)),
    entry("tiny.gguf", 3),
  ]);
  assertEquals([inFolder.quant, inFolder.sizeBytes, inFolder.complete], ["Q5_K_M", 7, true]);
  assertEquals([plain.quant, plain.sha256, plain.sizeBytes], [null, null, 3]);
});
