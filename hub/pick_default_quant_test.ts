import { assertEquals } from "../tests/assert.ts";
import type { GgufFile } from "./list_gguf_files.ts";
import { pickDefaultQuant } from "./pick_default_quant.ts";

const file = (
  path: string,
  quant: string | null,
  sizeBytes: number,
  more: Partial<GgufFile> = {},
) => ({
  path,
  quant,
  sizeBytes,
  isMmproj: false,
  sha256: null,
  complete: true,
  parts: [],
  ...more,
});

Deno.test("pickDefaultQuant() prefers Q4_K_M", () => {
  const files = [file("m-Q8_0.gguf", "Q8_0", 8), file("m-Q4_K_M.gguf", "Q4_K_M", 4)];
  assertEquals(pickDefaultQuant(files)?.path, "m-Q4_K_M.gguf");
});

Deno.test("pickDefaultQuant() follows QUANT_PREFERENCE without Q4_K_M", () => {
  const files = [file("m-Q8_0.gguf", "Q8_0", 8), file("m-Q5_K_M.gguf", "Q5_K_M", 5)];
  assertEquals(pickDefaultQuant(files)?.path, "m-Q5_K_M.gguf");
  assertEquals(
    pickDefaultQuant([file("a-F16.gguf", "F16", 2), file("b-IQ4_XS.gguf", "IQ4_XS", 9)])?.path,
    "b-IQ4_XS.gguf",
  );
});

Deno.test("pickDefaultQuant() skips mmproj and incomplete splits", () => {
  const mmproj = file("mmproj-Q4_K_M.gguf", "Q4_K_M", 1, { isMmproj: true });
  const partial = file("x-Q4_K_M-00001-of-00002.gguf", "Q4_K_M", 1, { complete: false });
  const q8 = file("m-Q8_0.gguf", "Q8_0", 8);
  assertEquals(pickDefaultQuant([mmproj, partial, q8])?.path, "m-Q8_0.gguf");
  assertEquals(pickDefaultQuant([mmproj]), null);
  assertEquals(pickDefaultQuant([]), null);
});

Deno.test("pickDefaultQuant() takes the smallest file when no label is known", () => {
  assertEquals(
    pickDefaultQuant([file("a.gguf", null, 9), file("b.gguf", null, 3)])?.path,
    "b.gguf",
  );
});
