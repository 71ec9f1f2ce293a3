/**
 * `deno task soak`: a soak benchmark of `hearth serve`. It starts `main.ts serve` as
 * its own process on 127.0.0.1, sends it `-n` mixed requests (bench/soak_requests.ts:
 * short, chat, long, streamed, cancelled mid-stream, malformed JSON) with at most
 * `--concurrency` in flight, samples the server's RSS (from /proc) every 10 s, counts
 * hangs (requests past `--timeout-ms`, which are then aborted) and wrong answers, and
 * finally checks that the server is idle and healthy and exits 0 on SIGTERM.
 *
 * ```
 * deno task soak -m MODEL [-n 100000] [--concurrency 8] [--parallel 4]
 *                [--timeout-ms 30000] [--seed 1]
 * ```
 *
 * The model needs a chat template (the chat kind): stories260K-chatml-derived.gguf
 * from the shared test models is the intended one. Requests name the model "soak".
 *
 * Prints a Markdown report on stdout; exits 1 when any request hung or was answered
 * wrongly, or the server did not end idle, healthy and with status 0.
 *
 * @module
 */
import { formatOptions, optionRow, type OptionSpec, readOptions } from "../config/args.ts";
import { pickKind, sendSoakRequest, type SoakKind, type SoakOutcome } from "./soak_requests.ts";
import { seededRandom } from "../tests/hub/_helpers.ts";

const RSS_EVERY_MS = 10_000;
const MAIN = new URL("../main.ts", import.meta.url).pathname;

const atLeast = (min: number) => ({ ok: (v: number) => v >= min, expect: `an integer >= ${min}` });
/** A row of soak's table (config/args.ts `optionRow`); soak is a bench tool. */
const row = optionRow(["bench"]);

/** soak's options, in `--help` order. */
const SOAK_OPTIONS: readonly OptionSpec[] = Object.freeze([
  row("model", "-m, --model", "string FILE", undefined, "GGUF model with a chat template"),
  row("n", "-n, --requests", "int N", 100000, "requests in all", { check: atLeast(1) }),
  row("concurrency", "--concurrency", "int N", 8, "requests in flight at most", {
    check: atLeast(1),
  }),
  row("parallel", "--parallel", "int N", 4, "serve's slots (1024 tokens each)", {
    check: atLeast(1),
  }),
  row("timeoutMs", "--timeout-ms", "int MS", 30000, "a request past this counts as hung", {
    check: atLeast(1),
  }),
  row("seed", "--seed", "int N", 1, "seed of the request mix"),
  row("help", "-h, --help", "boolean", false, "show this help"),
]);

/** The server's resident set size in MiB, from /proc (Linux). */
async function rssMib(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function main(args: string[]): Promise<number> {
  const read = readOptions(SOAK_OPTIONS, args, { helpHint: "deno task soak --help" });
  if (read.help) {
    console.log(`usage: deno task soak -m MODEL [options]\n${formatOptions(SOAK_OPTIONS)}`);
    return 0;
  }
  const values = read.values as {
    model?: string;
    n: number;
    concurrency: number;
    parallel: number;
    timeoutMs: number;
    seed: number;
  };
  if (!values.model) throw new TypeError("Cannot soak: no model given; pass -m MODEL.gguf");
  const total = values.n;
  const concurrency = values.concurrency;
  const timeoutMs = values.timeoutMs;
  const serveArgs = ["serve", "-m", values.model, "--alias", "soak", "--port", "0"]
    // 1024 tokens per slot: serve's -c is the KV cache of all slots together.
    .concat(["--parallel", String(values.parallel), "-c", String(1024 * values.parallel)])
    .concat(["-t", "1"]);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...serveArgs],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!banner.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`Cannot soak: serve exited early: ${banner}`);
    banner += value;
  }
  const base = /(http:\/\/\S+)\/v1/.exec(banner)![1];
  // stories260K's EOS; banning it makes the long and cancelled kinds run their length.
  const eos = 2;

  const outcomes: SoakOutcome[] = [];
  const hangs: { i: number; kind: SoakKind }[] = [];
  const failures: { i: number; kind: SoakKind; detail: string }[] = [];
  const samples: { seconds: number; done: number; rssMib: number }[] = [];
  const started = performance.now();
  const sample = async () =>
    samples.push({
      seconds: Math.round((performance.now() - started) / 1000),
      done: outcomes.length + hangs.length + failures.length,
      rssMib: await rssMib(child.pid),
    });
  await sample();
  const sampler = setInterval(sample, RSS_EVERY_MS);
  const random = seededRandom(values.seed);
  const kinds = Array.from({ length: total }, () => pickKind(random()));
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const outcome = await sendSoakRequest(base, kinds[i], i, eos, signal);
        outcomes.push(outcome);
        if (!outcome.ok) failures.push({ i, kind: kinds[i], detail: `status ${outcome.status}` });
      } catch (error) {
        if (signal.aborted) hangs.push({ i, kind: kinds[i] });
        else failures.push({ i, kind: kinds[i], detail: String(error) });
      }
    }
  }));
  clearInterval(sampler);
  await sample();
  const elapsedS = (performance.now() - started) / 1000;

  // The end state: idle (no request queued or in a slot), healthy, and a clean exit.
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const idle = /hearth_requests_queued 0\b/.test(metrics) && /hearth_slots_busy 0\b/.test(metrics);
  const health = (await fetch(`${base}/health`)).status;
  const stopAt = performance.now();
  child.kill("SIGTERM");
  while (!(await lines.read()).done) { /* until serve closes stdout */ }
  const { code } = await child.status;
  const stopMs = performance.now() - stopAt;

  const report = [
    `soak: ${total} requests, ${concurrency} at once, serve --parallel ${values.parallel}, ` +
    `seed ${values.seed}, hang timeout ${timeoutMs} ms, ${elapsedS.toFixed(0)} s ` +
    `(${(total / elapsedS).toFixed(0)} req/s)`,
    "",
    "| kind | requests | wrong | hung | p50 ms | p99 ms | max ms |",
    "| ---- | -------: | ----: | ---: | -----: | -----: | -----: |",
  ];
  for (const kind of ["short", "chat", "long", "stream", "cancel", "malformed"] as SoakKind[]) {
    const ms = outcomes.filter((o) => o.kind === kind).map((o) => o.ms).sort((a, b) => a - b);
    const wrong = failures.filter((f) => f.kind === kind).length;
    const hung = hangs.filter((h) => h.kind === kind).length;
    report.push(
      `| ${kind} | ${kinds.filter((k) => k === kind).length} | ${wrong} | ${hung} | ` +
        `${percentile(ms, 0.5).toFixed(1)} | ${percentile(ms, 0.99).toFixed(1)} | ` +
        `${(ms.at(-1) ?? 0).toFixed(1)} |`,
    );
  }
  report.push("", "| t (s) | requests done | server RSS (MiB) |", "| ----: | ----: | ----: |");
  for (const s of samples) report.push(`| ${s.seconds} | ${s.done} | ${s.rssMib.toFixed(1)} |`);
  report.push(
    "",
    `end: idle ${idle}, /health ${health}, SIGTERM exit ${code} after ${stopMs.toFixed(0)} ms`,
  );
  for (const f of failures.slice(0, 10)) {
    report.push(`wrong: request ${f.i} (${f.kind}): ${f.detail}`);
  }
  for (const h of hangs.slice(0, 10)) report.push(`hung: request ${h.i} (${h.kind})`);
  console.log(report.join("\n"));
  return hangs.length === 0 && failures.length === 0 && idle && health === 200 && code === 0
    ? 0
    : 1;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
