import { assertEquals } from "../../tests/assert.ts";
import { formatBytes, formatCount, formatMs, formatParams, formatRate } from "./format.ts";

Deno.test("formatBytes() uses binary units", () => {
  assertEquals(formatBytes(512), "512 B");
  assertEquals(formatBytes(1536), "1.5 KiB");
  assertEquals(formatBytes(986_048_768), "940 MiB");
  assertEquals(formatBytes(-1), "–");
});

Deno.test("formatRate(), formatMs(), formatCount() and formatParams() read naturally", () => {
  assertEquals(formatRate(41.74), "41.7 tok/s");
  assertEquals(formatRate(912.4), "912 tok/s");
  assertEquals(formatMs(184.2), "184 ms");
  assertEquals(formatMs(1250), "1.3 s");
  assertEquals(formatCount(4096), "4,096");
  assertEquals(formatParams(1_543_714_304), "1.5B");
  assertEquals(formatParams(260_000), "260K");
});
