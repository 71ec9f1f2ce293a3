import { assertEquals } from "../tests/assert.ts";
import { addThreadCpu, readThreadCpu, threadCpuDelta, waitForQuietThreads } from "./_thread_cpu.ts";

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

/** A Deno child that spins for `spinMs` of wall time, writes `marker`, then idles. */
function spinner(spinMs: number, marker: string): Deno.ChildProcess {
  const code = `const end = performance.now() + ${spinMs}; while (performance.now() < end) {}
    Deno.writeTextFileSync(${JSON.stringify(marker)}, "done");
    setTimeout(() => {}, 600_000);`;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "null",
    stderr: "null",
  }).spawn();
}

Deno.test("waitForQuietThreads() returns once a process stops spinning", async () => {
  const dir = await Deno.makeTempDir();
  const marker = `${dir}/spun`;
  const child = spinner(400, marker);
  try {
    const wait = await waitForQuietThreads(child.pid, { quietMs: 300, maxMs: 30_000 });
    assertEquals(wait.quiet, true);
    // Quiet means the spin is over: the child wrote its marker before idling.
    assertEquals(Deno.readTextFileSync(marker), "done");
  } finally {
    child.kill();
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("waitForQuietThreads() gives up on a process that keeps spinning", async () => {
  const dir = await Deno.makeTempDir();
  const child = spinner(600_000, `${dir}/spun`);
  try {
    const wait = await waitForQuietThreads(child.pid, { quietMs: 300, maxMs: 1_000 });
    assertEquals(wait.quiet, false);
  } finally {
    child.kill();
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("waitForQuietThreads() resolves at once for a process that does not exist", async () => {
  assertEquals(await waitForQuietThreads(2 ** 30), { quiet: true, waitedMs: 0, cpuMs: 0 });
});
