/**
 * CPU time of each thread of a process, read from Linux's `/proc/PID/task/TID/stat`
 * (utime + stime, fields 14 and 15, in clock ticks): which thread of a server spent
 * the CPU while it streamed. Unlike wall time, a thread's CPU time barely moves with
 * the machine's load, except for threads that spin while they wait (ggml's workers
 * at a barrier), whose time grows when another thread holds their partner's core.
 *
 * @module
 */

/** Milliseconds per clock tick: `sysconf(_SC_CLK_TCK)` is 100 on Linux x86-64 and arm64. */
const MS_PER_TICK = 10;

/** One thread's CPU time, in milliseconds. */
export interface ThreadCpu {
  tid: number;
  /** The thread's name (`comm`): Deno's JS Worker is "worker-N", its main thread "deno". */
  name: string;
  cpuMs: number;
}

/**
 * Every thread of `pid` and its CPU time so far; [] where /proc cannot be read (not
 * Linux, or the process is gone). Threads that end between two readings are missed.
 */
export function readThreadCpu(pid: number): ThreadCpu[] {
  const threads: ThreadCpu[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(`/proc/${pid}/task`)];
  } catch {
    return [];
  }
  for (const entry of entries) {
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${pid}/task/${entry.name}/stat`);
    } catch {
      continue; // ended meanwhile
    }
    // The name is in parentheses and may itself hold spaces or parentheses.
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    threads.push({
      tid: Number(entry.name),
      name: stat.slice(stat.indexOf("(") + 1, close),
      cpuMs: ticks * MS_PER_TICK,
    });
  }
  return threads.sort((a, b) => a.tid - b.tid);
}

/**
 * CPU milliseconds each thread spent between two readings of {@link readThreadCpu},
 * threads that spent none left out; threads born after `before` count from zero.
 */
export function threadCpuDelta(before: ThreadCpu[], after: ThreadCpu[]): ThreadCpu[] {
  const start = new Map(before.map((t) => [t.tid, t.cpuMs]));
  return after
    .map((t) => ({ ...t, cpuMs: t.cpuMs - (start.get(t.tid) ?? 0) }))
    .filter((t) => t.cpuMs > 0);
}

/**
 * Sums `deltas` per thread, in thread order: a round's deltas added to the totals of
 * the rounds before.
 */
export function addThreadCpu(total: ThreadCpu[], deltas: ThreadCpu[]): ThreadCpu[] {
  const byTid = new Map(total.map((t) => [t.tid, { ...t }]));
  for (const d of deltas) {
    const t = byTid.get(d.tid);
    if (t) t.cpuMs += d.cpuMs;
    else byTid.set(d.tid, { ...d });
  }
  return [...byTid.values()].sort((a, b) => a.tid - b.tid);
}

/** What {@link waitForQuietThreads} waited for. */
export interface QuietWait {
  /** Whether the threads went quiet before `maxMs`. */
  quiet: boolean;
  /** Milliseconds waited. */
  waitedMs: number;
  /** CPU milliseconds the process's threads spent meanwhile. */
  cpuMs: number;
}

/**
 * Waits until `pid`'s threads, all together, spend no CPU over `quietMs`, polling
 * `/proc` every `pollMs`; gives up after `maxMs`. For benchmarks that take turns
 * between servers on a few cores: ggml's threadpool spins after its last graph
 * (`poll` 50 by default, about 170 ms of CPU per pool thread, measured on llama-server
 * and hearth serve at `-t 2`), and a round that starts meanwhile runs on what is left.
 * Resolves at once for a process that cannot be read (gone, or not Linux).
 *
 * @example Waiting for a server to stop spinning
 * ```ts ignore
 * import { waitForQuietThreads } from "./_thread_cpu.ts";
 *
 * const { quiet, cpuMs } = await waitForQuietThreads(serverPid);
 * ```
 *
 * @param quietMs Silence to wait for, in milliseconds; at least two clock ticks (20 ms)
 *   to tell anything, default 100.
 * @param maxMs Longest wait, in milliseconds; default 3000.
 * @param pollMs Interval between readings, in milliseconds; default 20.
 */
export async function waitForQuietThreads(
  pid: number,
  { quietMs = 100, maxMs = 3000, pollMs = 20 } = {},
): Promise<QuietWait> {
  const sum = (threads: ThreadCpu[]) => threads.reduce((ms, t) => ms + t.cpuMs, 0);
  const start = performance.now();
  const threads = readThreadCpu(pid);
  if (threads.length === 0) return { quiet: true, waitedMs: 0, cpuMs: 0 };
  const first = sum(threads);
  let last = first;
  let lastChange = start;
  for (;;) {
    const now = performance.now();
    if (now - lastChange >= quietMs) {
      return { quiet: true, waitedMs: now - start, cpuMs: last - first };
    }
    if (now - start >= maxMs) return { quiet: false, waitedMs: now - start, cpuMs: last - first };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const cpu = sum(readThreadCpu(pid));
    if (cpu !== last) [last, lastChange] = [cpu, performance.now()];
  }
}
