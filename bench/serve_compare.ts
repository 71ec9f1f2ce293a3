/**
 * `deno task bench -m MODEL --serve-compare PATH_TO_LLAMA_SERVER --parallel 1,4,16`:
 * Hearth's OpenAI server (`hearth serve`, its own process) against llama-server. Both
 * get one and the same server argument list (model, `-c` total KV, `-np` slots, `-t`
 * threads, `-b`, `-ub`, alias): `hearth serve` gives those flags llama-server's meaning,
 * so equal settings hold by construction. For each B, B clients stream `/v1/completions` of
 * `-n` tokens at once (end-of-generation banned through logit_bias), rounds
 * alternating between the two servers; throughput is completion tokens over the
 * round's wall time. `clients` sets the streams per round apart from the slots (one
 * client against 16 slots: what idle slots cost a lone stream). Each server's own
 * `timings.predicted_per_second` (decode speed after the first token) and the CPU time
 * of each of its threads per completion token are kept beside. After each round the
 * bench waits until the server's threads stop spending CPU: ggml's threadpool spins for
 * a while after its last graph (about 170 ms of CPU per pool thread at `-t 2`), and on a
 * machine with as many cores as threads the other server's round would start on what
 * that spin leaves (about 100 ms lost per 64-token round, docs/benchmarks.md).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import {
  addThreadCpu,
  readThreadCpu,
  type ThreadCpu,
  threadCpuDelta,
  waitForQuietThreads,
} from "./_thread_cpu.ts";
import { launchServer, type Server } from "./_launch_server.ts";

/** One row: aggregate completion tokens per second of both servers. */
export interface ServeBenchRow {
  /** Slots (`-np`). */
  parallel: number;
  /** Streams at once per round. */
  clients: number;
  /** Both servers' command lines, verbatim (ports as used). */
  commands: { hearth: string; llamaServer: string };
  hearthTokPerSec: number[];
  llamaServerTokPerSec: number[];
  /** Mean over the round's streams of the server's `timings.predicted_per_second`. */
  hearthPredictedPerSec: number[];
  llamaServerPredictedPerSec: number[];
  /** CPU milliseconds per thread over the timed rounds, and the tokens they streamed. */
  hearthCpu: { threads: ThreadCpu[]; tokens: number };
  llamaServerCpu: { threads: ThreadCpu[]; tokens: number };
}

/** Settings of {@link benchServers}. */
export interface ServeBenchOptions {
  model: string;
  llamaServer: string;
  /** Slot counts (`-np`), one row each (or one per clients count). */
  parallel: readonly number[];
  /** Streams per round; undefined = as many as slots. */
  clients?: readonly number[];
  nGen: number;
  nThreads: number;
  repetitions: number;
  /** Extra environment for `hearth serve` (HEARTH_LIB_DIR...). */
  env?: Record<string, string>;
  /** Token to ban so every stream runs to nGen (the model's EOS). */
  eos: number;
}

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** Runs the comparison. */
export async function benchServers(options: ServeBenchOptions): Promise<ServeBenchRow[]> {
  const rows: ServeBenchRow[] = [];
  for (const pl of options.parallel) {
    // Room for the prompt and nGen tokens in every slot, in 256-token cells.
    const ctxPerSlot = Math.ceil((options.nGen + 64) / 256) * 256;
    const shared = (port: number) => [
      ...["-m", options.model, "-c", String(ctxPerSlot * pl), "-np", String(pl)],
      ...["-t", String(options.nThreads), "-b", "2048", "-ub", "512", "--alias", "bench"],
      ...["--host", "127.0.0.1", "--port", String(port)],
    ];
    const clientCounts = options.clients ?? [pl];
    const hearth = await launchServer(
      Deno.execPath(),
      (port) => ["run", "-A", MAIN, "serve", ...shared(port)],
      options.env,
    );
    const llama = await launchServer(options.llamaServer, shared);
    try {
      for (const clients of clientCounts) {
        const row: ServeBenchRow = {
          parallel: pl,
          clients,
          commands: { hearth: hearth.command, llamaServer: llama.command },
          hearthTokPerSec: [],
          llamaServerTokPerSec: [],
          hearthPredictedPerSec: [],
          llamaServerPredictedPerSec: [],
          hearthCpu: { threads: [], tokens: 0 },
          llamaServerCpu: { threads: [], tokens: 0 },
        };
        for (let r = 0; r <= options.repetitions; r++) {
          const ours = await round(hearth, clients, options);
          const theirs = await round(llama, clients, options);
          if (r === 0) continue; // warm-up round
          row.hearthTokPerSec.push(ours.tokPerSec);
          row.llamaServerTokPerSec.push(theirs.tokPerSec);
          row.hearthPredictedPerSec.push(ours.predictedPerSec);
          row.llamaServerPredictedPerSec.push(theirs.predictedPerSec);
          row.hearthCpu.threads = addThreadCpu(row.hearthCpu.threads, ours.cpu);
          row.hearthCpu.tokens += ours.tokens;
          row.llamaServerCpu.threads = addThreadCpu(row.llamaServerCpu.threads, theirs.cpu);
          row.llamaServerCpu.tokens += theirs.tokens;
        }
        rows.push(row);
      }
    } finally {
      await hearth.stop();
      await llama.stop();
    }
  }
  return rows;
}

/**
 * Formats the rows with the mean ratio per B (slots) and C (clients): aggregate tok/s
 * end to end, then each server's own decode speed (`predicted_per_second`), then the
 * CPU time per completion token of each thread that spent at least 1% of the total.
 */
export function formatServeBench(rows: readonly ServeBenchRow[]): string {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const cell = (x: number, width: number) => x.toFixed(2).padStart(width);
  let out = "|  B |  C | hearth serve tok/s | llama-server tok/s | ratio | " +
    "hearth predicted/s | llama-server predicted/s |\n";
  out += "| -: | -: | -----------------: | -----------------: | ----: | " +
    "-----------------: | -----------------------: |\n";
  for (const row of rows) {
    const [a, b] = [mean(row.hearthTokPerSec), mean(row.llamaServerTokPerSec)];
    out += `| ${String(row.parallel).padStart(2)} | ${String(row.clients).padStart(2)} | ` +
      `${cell(a, 18)} | ${cell(b, 18)} | ${(a / b).toFixed(3).padStart(5)} | ` +
      `${cell(mean(row.hearthPredictedPerSec), 18)} | ` +
      `${cell(mean(row.llamaServerPredictedPerSec), 24)} |\n`;
  }
  out += "\nCPU per completion token, by thread (tid name: µs/token):\n";
  for (const row of rows) {
    for (
      const [server, cpu] of [["hearth", row.hearthCpu], [
        "llama-server",
        row.llamaServerCpu,
      ]] as const
    ) {
      out += `\n  B ${row.parallel}, C ${row.clients}, ${server}: ${formatCpu(cpu)}`;
    }
  }
  out += "\n\nCommand lines:\n";
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.commands.hearth)) continue;
    seen.add(row.commands.hearth);
    out += `\n    ${row.commands.hearth}\n    ${row.commands.llamaServer}\n`;
  }
  return out;
}

function formatCpu(cpu: { threads: ThreadCpu[]; tokens: number }): string {
  const total = cpu.threads.reduce((sum, t) => sum + t.cpuMs, 0);
  if (cpu.tokens === 0 || total === 0) return "not measured";
  const perToken = (ms: number) => Math.round(ms * 1000 / cpu.tokens);
  const shown = cpu.threads.filter((t) => t.cpuMs >= total / 100);
  return `total ${perToken(total)}; ` +
    shown.map((t) => `${t.tid} ${t.name}: ${perToken(t.cpuMs)}`).join(", ");
}

interface Round {
  tokPerSec: number;
  predictedPerSec: number;
  tokens: number;
  cpu: ThreadCpu[];
}

async function round(server: Server, clients: number, options: ServeBenchOptions): Promise<Round> {
  const before = readThreadCpu(server.pid);
  const start = performance.now();
  const streams = await Promise.all(
    Array.from({ length: clients }, (_, i) => stream(server.url, i, options)),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = threadCpuDelta(before, readThreadCpu(server.pid));
  // The spin after the last graph is not the round's, and must not slow the next one.
  await waitForQuietThreads(server.pid);
  const tokens = streams.reduce((a, s) => a + s.tokens, 0);
  const predicted = streams.map((s) => s.predictedPerSec).filter((x) => x !== undefined);
  return {
    tokPerSec: tokens / seconds,
    predictedPerSec: predicted.reduce((a, b) => a + b, 0) / predicted.length,
    tokens,
    cpu,
  };
}

/**
 * Streams one completion; returns the completion tokens the server reported or sent,
 * and its `timings.predicted_per_second` when it sent one.
 */
async function stream(
  url: string,
  i: number,
  options: ServeBenchOptions,
): Promise<{ tokens: number; predictedPerSec: number | undefined }> {
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "bench",
      prompt: `Once upon a time, story number ${i}:`,
      max_tokens: options.nGen,
      temperature: 0.8,
      seed: i,
      stream: true,
      stream_options: { include_usage: true },
      logit_bias: { [options.eos]: -100 },
    }),
  });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  // Tokens from the final usage chunk: Hearth sends a chunk per coalesced piece, not
  // per token, so chunks do not count tokens; chunks are the fallback for a server
  // that sends no usage.
  let chunks = 0;
  let usage: number | undefined;
  let predictedPerSec: number | undefined;
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let rest = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const events = (rest + value).split("\n\n");
    rest = events.pop()!;
    for (const event of events) {
      if (!event.startsWith("data: {")) continue;
      const chunk = JSON.parse(event.slice(6));
      if (chunk.choices?.length) chunks++;
      if (chunk.usage?.completion_tokens !== undefined) usage = chunk.usage.completion_tokens;
      if (chunk.timings?.predicted_per_second !== undefined) {
        predictedPerSec = chunk.timings.predicted_per_second;
      }
    }
  }
  return { tokens: usage ?? Math.min(chunks, options.nGen), predictedPerSec };
}
