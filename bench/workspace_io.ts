/**
 * The workspace file layer's throughput through the UI API: a 1 GiB file written and read
 * in chunks over real HTTP on 127.0.0.1 (the routes ui/workspace_api.ts calls, with the same
 * requests, against a headless app started in this process with a temp data folder), against a plain
 * sequential Deno write and read of the same file with the same chunk size, in the same
 * run. Two more paths tell the file layer's cost from the transport's: the app service's
 * own calls (app/workspace/files.ts, no HTTP), and a bare `Deno.serve` on another port
 * (no relay, no app, no disk: 8 MiB answered from memory, PUT bodies drained), the
 * ceiling of HTTP through Deno's server and fetch on this machine; and raw TCP between
 * two Deno sockets (no HTTP), the ceiling of any transport the webview can use. Reads over
 * HTTP go into one reused buffer per read in flight (a BYOB reader, as the UI's
 * `readInto`). Each round measures all nine; ratios are per round, then their median. The file
 * lives in a temp folder and is deleted at the end. No fsync on either side: both measure
 * the path to the page cache.
 *
 * The HTTP client (UI API and bare server requests, the socket's reading end) runs in a
 * child Deno process by default (bench/_workspace_io_client.ts, `--client process`), as
 * the webview is a process of its own; the child is started once, before the rounds, and
 * times each step itself, from its first request to its last response. `--client same`
 * runs the same client code in this process, on the app's event loop (the earlier way).
 *
 * Writes empty the file first (a truncating open, mode "w", as the UI's `writeFile` does).
 * `--overwrite` rewrites it in place instead (plain: no truncate; service and UI API: mode
 * "r+"), so no path writes into page-cache pages freed moments before: on a VM with free
 * page reporting (this one) those go back to the host within seconds, and a writer slower
 * than plain I/O then pays the host's faults (docs/benchmarks.md, "Workspace files: the UI
 * API with the client in its own process").
 *
 * ```
 * deno run -A bench/workspace_io.ts [--mib 1024] [--chunk-mib 8] [--in-flight 2] [--rounds 3]
 *   [--client process|same] [--overwrite] [--dir DIR]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { startApp } from "../cli/app.ts";
import {
  addWorkspace,
  type ClientConfig,
  type ClientStep,
  createClient,
  spawnClient,
  stamper,
  type WorkspaceIoClient,
} from "./_workspace_io_client.ts";

const { values } = parseArgs({
  options: {
    mib: { type: "string", default: "1024" },
    "chunk-mib": { type: "string", default: "8" },
    "in-flight": { type: "string", default: "2" },
    rounds: { type: "string", default: "3" },
    client: { type: "string", default: "process" },
    overwrite: { type: "boolean", default: false },
    dir: { type: "string" },
  },
});
const totalBytes = Number(values.mib) * (1 << 20);
const chunkBytes = Number(values["chunk-mib"]) * (1 << 20);
const inFlight = Number(values["in-flight"]);
const rounds = Number(values.rounds);
const clientMode = values.client;
const writeMode = values.overwrite ? "r+" : "w";
if (!(totalBytes > 0 && chunkBytes > 0 && totalBytes % chunkBytes === 0 && inFlight >= 1)) {
  console.error("bench/workspace_io.ts: --mib must be a positive multiple of --chunk-mib");
  Deno.exit(1);
}
if (clientMode !== "process" && clientMode !== "same") {
  console.error("bench/workspace_io.ts: --client is process or same");
  Deno.exit(1);
}
const chunks = totalBytes / chunkBytes;

const dir = await Deno.makeTempDir({ dir: values.dir, prefix: "hearth-bench-io-" });
const workspaceDir = join(dir, "ws");
await Deno.mkdir(workspaceDir);
const file = join(workspaceDir, "bench.bin");
const app = await startApp({
  dataDir: join(dir, "data"),
  libraryRoots: [],
  loadDefaultModel: false,
});

/** One chunk's bytes (random); chunk i has i in byte 0, as the client writes it. */
const stamped = stamper(chunkBytes);

const seconds = async (work: () => Promise<void>) => {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
};

async function plainWrite(): Promise<void> {
  using f = await Deno.open(file, { write: true, create: true, truncate: !values.overwrite });
  for (let i = 0; i < chunks; i++) {
    const bytes = stamped(i);
    for (let n = 0; n < bytes.length;) n += await f.write(bytes.subarray(n));
  }
}

async function plainRead(): Promise<void> {
  using f = await Deno.open(file);
  const buffer = new Uint8Array(chunkBytes);
  let total = 0;
  for (let n; (n = await f.read(buffer)) !== null;) total += n;
  if (total !== totalBytes) throw new Error(`plain read got ${total} bytes`);
}

/** The HTTP ceiling: Deno.serve alone, bytes from memory, bodies drained. */
const bareServer = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (r) => {
  if (r.method === "PUT") {
    for await (const _ of r.body!);
    return Response.json({ bytes_written: chunkBytes });
  }
  // Stamped here: the chunk's index in byte 0, as the file has it (the body is a copy).
  const data = stamped(Number(new URL(r.url).searchParams.get("offset")) / chunkBytes);
  return new Response(data, { headers: { "content-type": "application/octet-stream" } });
});

/** The bench's workspace id, set once it is added. */
let id = "";

/** The same writes through the app service, no HTTP. */
async function serviceWrite(): Promise<void> {
  const { handle } = await app.app.workspace.open(id, "bench.bin", writeMode);
  for (let i = 0; i < chunks; i++) {
    // The layer copies what it buffers: one buffer serves every write, as in the plain path.
    await app.app.workspace.write(handle, i * chunkBytes, stamped(i));
  }
  await app.app.workspace.close(handle);
}

/** The same reads through the app service, no HTTP. */
async function serviceRead(): Promise<void> {
  const { handle } = await app.app.workspace.open(id, "bench.bin", "r");
  // One buffer for every chunk, as the plain read has.
  const buffer = new Uint8Array(chunkBytes);
  for (let i = 0; i < chunks; i++) {
    const n = await app.app.workspace.readInto(handle, i * chunkBytes, buffer);
    if (n !== chunkBytes || buffer[0] !== (i & 0xff)) throw new Error("service read");
  }
  await app.app.workspace.close(handle);
}

/** The client, in a child process or this one (set before the rounds). */
let client: WorkspaceIoClient;

/** A step the client runs and times. */
const clientStep = (step: ClientStep) => {
  const run = async () => (await client.run({ step })).seconds;
  Object.defineProperty(run, "name", { value: step });
  return run;
};

/**
 * The socket ceiling: raw TCP on 127.0.0.1, no HTTP; this process writes `chunks` times
 * one buffer, the client reads into one reused buffer (timed there, from its connect).
 * Every byte a webview gets from the app crosses such a socket.
 */
async function socketCopy(): Promise<number> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sending = (async () => {
    using conn = await listener.accept();
    for (let i = 0; i < chunks; i++) {
      const bytes = stamped(i);
      for (let n = 0; n < bytes.length;) n += await conn.write(bytes.subarray(n));
    }
  })();
  const [result] = await Promise.all([
    client.run({ step: "socketRead", port: listener.addr.port }),
    sending,
  ]);
  return result.seconds;
}

/** A step timed here, in the bench process. */
const local = (work: () => Promise<void>) => {
  const run = () => seconds(work);
  Object.defineProperty(run, "name", { value: work.name });
  return run;
};

let spawned: ReturnType<typeof spawnClient> | undefined;
try {
  id = await addWorkspace(app.origin, app.secret, workspaceDir);
  const config: ClientConfig = {
    origin: app.origin,
    secret: app.secret,
    workspace: id,
    path: "bench.bin",
    writeMode,
    bareUrl: `http://127.0.0.1:${bareServer.addr.port}/`,
    chunkBytes,
    chunks,
    inFlight,
  };
  client = clientMode === "same" ? createClient(config) : (spawned = spawnClient(config));
  const mib = totalBytes / (1 << 20);
  const steps = [
    local(plainWrite),
    local(serviceWrite),
    clientStep("apiWrite"),
    clientStep("bareWrite"),
    local(plainRead),
    local(serviceRead),
    clientStep("apiRead"),
    clientStep("bareRead"),
    socketCopy,
  ];
  const rows: number[][] = [];
  for (let round = 1; round <= rounds; round++) {
    const row: number[] = [];
    for (const step of steps) {
      row.push(await step());
      if ((await Deno.stat(file)).size !== totalBytes) throw new Error(`${step.name}: wrong size`);
    }
    rows.push(row);
    console.error(
      `round ${round}: ` + steps.map((s, i) =>
        `${s.name} ${(mib / row[i]).toFixed(0)}`
      ).join(", ") +
        " MiB/s",
    );
  }
  const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rate = (i: number) => median(rows.map((r) => mib / r[i])).toFixed(0);
  const ratio = (i: number, plain: number) =>
    `${median(rows.map((r) => r[plain] / r[i])).toFixed(2)}x`;
  const row = (name: string, plain: number) =>
    `| ${name} | ${rate(plain)} | ${rate(plain + 1)} | ${rate(plain + 2)} | ${rate(plain + 3)} | ${
      rate(8)
    } | ${ratio(plain + 1, plain)} | ${ratio(plain + 2, plain)} | ${
      ratio(plain + 2, plain + 3)
    } | ${ratio(8, plain)} |`;
  console.log(
    `${mib} MiB, ${chunkBytes >> 20} MiB chunks, ${inFlight} HTTP requests in flight, ` +
      `${rounds} rounds (medians), client: ${
        clientMode === "same"
          ? "in the bench process (--client same)"
          : "a child process (--client process)"
      }, writes ${values.overwrite ? "in place (--overwrite)" : "into an emptied file"}\n\n` +
      `| path  | plain Deno MiB/s | app service MiB/s | UI API MiB/s | bare Deno.serve MiB/s | TCP socket MiB/s | service / plain | API / plain | API / bare | socket / plain |\n` +
      `| ----- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n` +
      row("write", 0) + "\n" + row("read ", 4),
  );
} finally {
  await spawned?.close();
  await bareServer.shutdown();
  await app.close();
  await Deno.remove(dir, { recursive: true });
}
