import { assertEquals } from "../tests/assert.ts";
import { HeartbeatReader, HeartbeatWriter } from "./heartbeat.ts";

Deno.test("HeartbeatReader.stalledMs() counts from the later of the last step and markBusy()", () => {
  let now = 1_000_000;
  const clock = () => now;
  const reader = new HeartbeatReader(clock);
  const writer = new HeartbeatWriter(reader.buffer, reader.base, clock);
  now += 60_000;
  assertEquals(reader.stalledMs(0), 0); // idle: no step is due
  reader.markBusy();
  now += 5_000;
  assertEquals(reader.stalledMs(1), 5_000); // busy, and no step ever ran
  writer.beginStep();
  now += 20_000;
  assertEquals(reader.stalledMs(1), 0); // a step under way is slow, not stalled
  writer.endStep();
  assertEquals(reader.stalledMs(1), 20_000); // counted from the step's start
  writer.beginStep();
  writer.endStep();
  now += 250;
  // Ticks are 100 ms: the step's start is read back at most one tick early.
  assertEquals(reader.stalledMs(1), 250);
  assertEquals(reader.stalledMs(0), 0);
});
