import { assertEquals } from "../tests/assert.ts";
import { addThreadCpu, readThreadCpu, threadCpuDelta } from "./_thread_cpu.ts";

Deno.test("readThreadCpu() sees this process's main thread spend CPU", () => {
  const before = readThreadCpu(Deno.pid);
  assertEquals(before.some((t) => t.tid === Deno.pid), true);
  // Spin until the main thread's time moves by a tick (10 ms).
  let after = before;
  const start = before.find((t) => t.tid === Deno.pid)!.cpuMs;
  while (after.find((t) => t.tid === Deno.pid)!.cpuMs === start) after = readThreadCpu(Deno.pid);
  const delta = threadCpuDelta(before, after);
  assertEquals(delta.find((t) => t.tid === Deno.pid)!.cpuMs >= 10, true);
  assertEquals(delta.every((t) => t.cpuMs > 0), true);
});

Deno.test("readThreadCpu() returns [] for a process that does not exist", () => {
  assertEquals(readThreadCpu(2 ** 30), []);
});

Deno.test("addThreadCpu() sums per thread and keeps new threads", () => {
  assertEquals(
    addThreadCpu(
      [{ tid: 1, name: "a", cpuMs: 10 }],
      [{ tid: 1, name: "a", cpuMs: 5 }, { tid: 2, name: "b", cpuMs: 7 }],
    ),
    [{ tid: 1, name: "a", cpuMs: 15 }, { tid: 2, name: "b", cpuMs: 7 }],
  );
});
