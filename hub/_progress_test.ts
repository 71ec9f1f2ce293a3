import { assertEquals } from "../tests/assert.ts";
import { type DownloadProgress, ProgressMeter } from "./_progress.ts";

Deno.test("ProgressMeter reports at most once per interval, with speed and ETA", () => {
  let now = 0;
  const reports: DownloadProgress[] = [];
  const meter = new ProgressMeter((p) => reports.push(p), 0, 10_000, 250, () => now);
  meter.update(0, true);
  now = 100;
  meter.update(100); // throttled
  now = 1000;
  meter.update(1000);
  assertEquals(reports.length, 2);
  assertEquals(reports[1], {
    downloadedBytes: 1000,
    totalBytes: 10_000,
    bytesPerSecond: 1000,
    etaSeconds: 9,
  });
});

Deno.test("ProgressMeter measures speed over the last few seconds only", () => {
  let now = 0;
  const meter = new ProgressMeter(() => {}, 0, null, 0, () => now);
  meter.update(0);
  now = 10_000;
  meter.update(1000); // slow start
  now = 11_000;
  meter.update(11_000); // 10 kB in the last second
  const { bytesPerSecond, etaSeconds } = meter.snapshot();
  assertEquals(bytesPerSecond, 10_000);
  assertEquals(etaSeconds, null); // size unknown
});

Deno.test("ProgressMeter survives a throwing callback", () => {
  const error = console.error;
  console.error = () => {};
  try {
    const meter = new ProgressMeter(
      () => {
        throw new Error("ui bug");
      },
      0,
      10,
    );
    meter.update(5, true);
    assertEquals(meter.snapshot().downloadedBytes, 5);
  } finally {
    console.error = error;
  }
});
