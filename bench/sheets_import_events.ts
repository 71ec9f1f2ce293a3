/**
 * `deno run -A bench/sheets_import_events.ts [--rows 400000] [--runs 3]`: what a running
 * sheet import leaves the app's event loop. An HTTP server on 127.0.0.1 answers "ok" while
 * a client in a Worker asks it again and again; meanwhile the main thread imports a CSV
 * (app/sheets/imports.ts, with progress events) into a fresh SQLite file. Each run imports
 * twice, interleaved: giving the loop a turn every `YIELD_EVERY_MS` (25 ms, the default)
 * and never (`yieldEveryMs: Infinity`, the import before it had turns). Reports the
 * import's rows/s, the progress events sent, and the requests answered during the import
 * with their latency (p50, p99, max): what the UI's progress events and Cancel wait for.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { SheetImports } from "../app/sheets/imports.ts";
import { YIELD_EVERY_MS } from "../app/sheets/transfer.ts";
import { openDatabase } from "../storage/mod.ts";
import { writeCsv } from "../tests/sheets/_csv.ts";

/** Latency of the requests a worker made while told to, in ms. */
type Latencies = { n: number; p50: number; p99: number; max: number };

/** A worker that fetches `url` in a loop between "start" and "stop", then posts {@link Latencies}. */
const CLIENT = `
let running = false;
self.onmessage = async (event) => {
  if (event.data.cmd === "stop") return void (running = false);
  running = true;
  const ms = [];
  while (running) {
    const t = performance.now();
    await (await fetch(event.data.url)).text();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
  self.postMessage({ n: ms.length, p50: at(0.5), p99: at(0.99), max: ms.at(-1) ?? 0 });
};`;

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      rows: { type: "string", default: "400000" },
      runs: { type: "string", default: "3" },
    },
  });
  const rows = Number(values.rows);
  const dir = await Deno.makeTempDir({ prefix: "hearth-import-events-" });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("ok"),
  );
  const client = new Worker(
    URL.createObjectURL(new Blob([CLIENT], { type: "text/javascript" })),
    { type: "module" },
  );
  try {
    const csv = join(dir, "big.csv");
    await writeCsv(csv, rows);
    const mib = (await Deno.stat(csv)).size / (1 << 20);
    console.log(`${rows} rows, ${mib.toFixed(1)} MiB; load average ${Deno.loadavg().join(", ")}`);
    console.log(
      "| event-loop turn | run | s | rows/s | progress events | requests | p50 ms | p99 ms | max ms |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (let run = 1; run <= Number(values.runs); run++) {
      for (const yieldEveryMs of [Infinity, YIELD_EVERY_MS]) {
        const storage = openDatabase(join(dir, `run${run}-${yieldEveryMs}.db`));
        let events = 0;
        const imports = new SheetImports(storage, { onProgress: () => events++ });
        const latencies = new Promise<Latencies>((resolve) => {
          client.onmessage = (event) => resolve(event.data);
        });
        client.postMessage({ cmd: "start", url: `http://127.0.0.1:${server.addr.port}/` });
        const started = performance.now();
        const sheet = await imports.run(csv, { yieldEveryMs });
        const seconds = (performance.now() - started) / 1000;
        client.postMessage({ cmd: "stop" });
        const l = await latencies;
        storage.close();
        if (sheet.row_count !== rows) throw new Error(`imported ${sheet.row_count} of ${rows}`);
        console.log(
          `| ${yieldEveryMs === Infinity ? "never" : `every ${yieldEveryMs} ms`} | ${run} | ` +
            `${seconds.toFixed(2)} | ${(rows / seconds).toFixed(0)} | ${events} | ${l.n} | ` +
            `${l.p50.toFixed(1)} | ${l.p99.toFixed(0)} | ${l.max.toFixed(0)} |`,
        );
      }
    }
    console.log(`load average after: ${Deno.loadavg().join(", ")}`);
  } finally {
    client.terminate();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}
