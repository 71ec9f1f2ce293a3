import { assertEquals } from "../tests/assert.ts";
import { groupFiles, parseSplitName, splitPartPath } from "./_group.ts";
import type { FoundFile } from "./_walk.ts";

const root = { kind: "folder", path: "/m" } as const;
const file = (path: string, sizeBytes = 10, mtimeMs = 1): FoundFile => ({
  path,
  root,
  sizeBytes,
  mtimeMs,
});

Deno.test("parseSplitName() reads gguf-split names and refuses others", () => {
  assertEquals(parseSplitName("/m/Qwen-Q4_K_M-00002-of-00003.gguf"), {
    prefix: "/m/Qwen-Q4_K_M",
    part: 2,
    count: 3,
    ext: ".gguf",
  });
  assertEquals(parseSplitName("/m/a-00001-of-00001.gguf"), null);
  assertEquals(parseSplitName("/m/a-00004-of-00003.gguf"), null);
  assertEquals(parseSplitName("/m/a-00000-of-00003.gguf"), null);
  assertEquals(parseSplitName("/m/a-0001-of-0003.gguf"), null);
  assertEquals(splitPartPath("/m/a", 7, 12), "/m/a-00007-of-00012.gguf");
});

Deno.test("groupFiles() makes one source per split model with sizes summed", () => {
  const sources = groupFiles([
    file("/m/b-00002-of-00002.gguf", 5, 9),
    file("/m/solo.gguf"),
    file("/m/b-00001-of-00002.gguf", 7, 3),
    file("/m/c-00003-of-00003.gguf"),
  ]);
  assertEquals(sources.map((s) => [s.path, s.splitCount, s.sizeBytes, s.mtimeMs, s.missing]), [
    ["/m/b-00001-of-00002.gguf", 2, 12, 9, []],
    ["/m/c-00001-of-00003.gguf", 3, 10, 1, [
      "/m/c-00001-of-00003.gguf",
      "/m/c-00002-of-00003.gguf",
    ]],
    ["/m/solo.gguf", null, 10, 1, []],
  ]);
  assertEquals(sources[0].files.map((f) => f.path), [
    "/m/b-00001-of-00002.gguf",
    "/m/b-00002-of-00002.gguf",
  ]);
});
