import { assertEquals } from "../tests/assert.ts";
import { addThreadCpu, readThreadCpu, threadCpuDelta } from "./_thread_cpu.ts";

Deno.test("readThreadCpu() sees this process's threads spend CPU", () => {
  // `deno test` runs tests on a tokio thread, not on the thread whose tid is the pid.
  const total = (threads: { cpuMs: number }[]) => threads.reduce((a, t) => a + t.cpuMs, 0);
  const before = readThreadCpu(Deno.pid);
  assertEquals(before.some((t) => t.tid === Deno.pid), true);
  let after = before;
  while (total(after) < total(before) + 20) after = readThreadCpu(Deno.pid);
  const delta = threadCpuDelta(before, after);
  assertEquals(total(delta), total(after) - total(before));
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
