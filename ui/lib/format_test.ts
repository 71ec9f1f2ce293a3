import { assertEquals } from "../../tests/assert.ts";
import {
  formatBytes,
  formatCompact,
  formatCount,
  formatDate,
  formatEta,
  formatMs,
  formatParams,
  formatRate,
} from "./format.ts";

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

Deno.test("formatParams() writes model-card sizes", () => {
  assertEquals(formatParams(134_515_008), "135M");
  assertEquals(formatParams(1_235_814_400), "1.2B");
  assertEquals(formatParams(7_000_000_000), "7B");
  assertEquals(formatParams(70_550_000_000), "71B");
  assertEquals(formatParams(260_000), "260K");
});

Deno.test("formatCompact(), formatEta() and formatDate() read naturally", () => {
  assertEquals(formatCompact(950), "950");
  assertEquals(formatCompact(12_345), "12.3K");
  assertEquals(formatCompact(4_100_000), "4.1M");
  assertEquals(formatEta(null), "–");
  assertEquals(formatEta(44.2), "45 s");
  assertEquals(formatEta(185), "3 min 5 s");
  assertEquals(formatEta(7800), "2 h 10 min");
  assertEquals(formatDate(Date.UTC(2026, 0, 5, 12)), "Jan 5, 2026");
});
