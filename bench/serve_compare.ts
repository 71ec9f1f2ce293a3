/**
 * `deno task bench -m MODEL --serve-compare PATH_TO_LLAMA_SERVER --parallel 1,4,16`:
 * Hearth's OpenAI server (`hearth serve`, its own process) against llama-server. Both
 * get one and the same server argument list (model, `-c` total KV, `-np` slots, `-t`
 * threads, `-b`, `-ub`, alias): `hearth serve` gives those flags llama-server's meaning,
 * so equal settings hold by construction. For each B, B clients stream `/v1/completions` of
 * `-n` tokens at once (end-of-generation banned through logit_bias), rounds
 * alternating between the two servers; throughput is completion tokens over the
 * round's wall time.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** One row: aggregate completion tokens per second of both servers. */
export interface ServeBenchRow {
  parallel: number;
  /** Both servers' command lines, verbatim (ports as used). */
  commands: { hearth: string; llamaServer: string };
  hearthTokPerSec: number[];
  llamaServerTokPerSec: number[];
}

/** Settings of {@link benchServers}. */
export interface ServeBenchOptions {
  model: string;
  llamaServer: string;
  parallel: readonly number[];
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
    const hearth = await launch(
      Deno.execPath(),
      (port) => ["run", "-A", MAIN, "serve", ...shared(port)],
      options.env,
    );
    const llama = await launch(options.llamaServer, shared);
    const row: ServeBenchRow = {
      parallel: pl,
      commands: { hearth: hearth.command, llamaServer: llama.command },
      hearthTokPerSec: [],
      llamaServerTokPerSec: [],
    };
    try {
      for (let r = 0; r <= options.repetitions; r++) {
        const ours = await round(hearth.url, pl, options);
        const theirs = await round(llama.url, pl, options);
        if (r === 0) continue; // warm-up round
        row.hearthTokPerSec.push(ours);
        row.llamaServerTokPerSec.push(theirs);
      }
    } finally {
      await hearth.stop();
      await llama.stop();
    }
    rows.push(row);
  }
  return rows;
}

/** Formats the rows with the mean ratio per B. */
export function formatServeBench(rows: readonly ServeBenchRow[]): string {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  let out = "|    B | hearth serve tok/s | llama-server tok/s | ratio |\n";
  out += "| ---: | -----------------: | -----------------: | ----: |\n";
  for (const row of rows) {
    const [a, b] = [mean(row.hearthTokPerSec), mean(row.llamaServerTokPerSec)];
    out += `| ${String(row.parallel).padStart(4)} | ${a.toFixed(2).padStart(18)} | ` +
      `${b.toFixed(2).padStart(18)} | ${(a / b).toFixed(3).padStart(5)} |\n`;
  }
  out += "\nCommand lines:\n";
  for (const row of rows) out += `\n    ${row.commands.hearth}\n    ${row.commands.llamaServer}\n`;
  return out;
}

async function round(url: string, pl: number, options: ServeBenchOptions): Promise<number> {
  const start = performance.now();
  const counts = await Promise.all(Array.from({ length: pl }, (_, i) => stream(url, i, options)));
  const seconds = (performance.now() - start) / 1000;
  return counts.reduce((a, b) => a + b, 0) / seconds;
}

/** Streams one completion; returns the completion tokens the server reported or sent. */
async function stream(url: string, i: number, options: ServeBenchOptions): Promise<number> {
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
    }
  }
  return usage ?? Math.min(chunks, options.nGen);
}

async function launch(
  command: string,
  args: (port: number) => string[],
  env?: Record<string, string>,
): Promise<{ url: string; command: string; stop(): Promise<void> }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const argv = args(port);
  const child = new Deno.Command(command, {
    args: argv,
    env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${url}/health`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`${command} did not answer /health on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    command: [command, ...argv].join(" "),
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}
