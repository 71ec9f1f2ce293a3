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
 * ```
 * deno run -A bench/workspace_io.ts [--mib 1024] [--chunk-mib 8] [--in-flight 2] [--rounds 3] [--dir DIR]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { startApp } from "../cli/app.ts";

const { values } = parseArgs({
  options: {
    mib: { type: "string", default: "1024" },
    "chunk-mib": { type: "string", default: "8" },
    "in-flight": { type: "string", default: "2" },
    rounds: { type: "string", default: "3" },
    dir: { type: "string" },
  },
});
const totalBytes = Number(values.mib) * (1 << 20);
const chunkBytes = Number(values["chunk-mib"]) * (1 << 20);
const inFlight = Number(values["in-flight"]);
const rounds = Number(values.rounds);
if (!(totalBytes > 0 && chunkBytes > 0 && totalBytes % chunkBytes === 0 && inFlight >= 1)) {
  console.error("bench/workspace_io.ts: --mib must be a positive multiple of --chunk-mib");
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

/** One chunk's bytes, random so no layer can compress or skip them; chunk i has i in byte 0. */
const chunk = crypto.getRandomValues(new Uint8Array(Math.min(chunkBytes, 65536)));
const data = new Uint8Array(chunkBytes);
for (let o = 0; o < chunkBytes; o += chunk.length) data.set(chunk.subarray(0, chunkBytes - o), o);
const stamped = (i: number) => {
  data[0] = i & 0xff;
  return data;
};

const seconds = async (work: () => Promise<void>) => {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
};

async function plainWrite(): Promise<void> {
  using f = await Deno.open(file, { write: true, create: true, truncate: true });
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

/** Runs `request(i)` for every chunk, `inFlight` at a time. */
async function inFlightLoop(request: (i: number) => Promise<unknown>): Promise<void> {
  const running = new Set<Promise<unknown>>();
  for (let i = 0; i < chunks; i++) {
    const one = request(i);
    running.add(one);
    one.finally(() => running.delete(one));
    if (running.size >= inFlight) await Promise.race(running);
  }
  await Promise.all(running);
}

/** The HTTP ceiling: Deno.serve alone, bytes from memory, bodies drained. */
const bareServer = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (r) => {
  if (r.method === "PUT") {
    for await (const _ of r.body!);
    return Response.json({ bytes_written: chunkBytes });
  }
  // Stamped here: the chunk's index in byte 0, as the file has it (the body is a copy).
  stamped(Number(new URL(r.url).searchParams.get("offset")) / chunkBytes);
  return new Response(data, { headers: { "content-type": "application/octet-stream" } });
});
const bare = { url: `http://127.0.0.1:${bareServer.addr.port}/` };

/**
 * The UI API calls the bench makes, as ui/workspace_api.ts makes them (the bench may not
 * import ui/): JSON for open and close, raw bytes for read and write.
 */
const api = (() => {
  const auth = { authorization: `Bearer ${app.secret}` };
  const call = async (method: string, path: string, init: RequestInit = {}) => {
    const response = await fetch(app.origin + path, {
      method,
      ...init,
      headers: { ...auth, ...init.headers as Record<string, string> },
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${await response.text()}`);
    return response;
  };
  const json = async (method: string, path: string, body?: unknown) => {
    const init = body === undefined ? {} : {
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    };
    const text = await (await call(method, path, init)).text();
    return text ? JSON.parse(text) : undefined;
  };
  return {
    addWorkspace: (path: string): Promise<{ id: string }> =>
      json("POST", "/api/workspaces", { path }),
    open: (workspace: string, path: string, mode: string): Promise<{ handle: string }> =>
      json("POST", "/api/files", { workspace, path, mode }),
    write: async (handle: string, offset: number, bytes: Uint8Array) =>
      await (await call("PUT", `/api/files/${handle}?offset=${offset}`, {
        body: bytes as BodyInit,
        headers: { "content-type": "application/octet-stream" },
      })).json(),
    /** As ui/workspace_api.ts `readInto`: a BYOB reader into the caller's buffer. */
    readInto: async (handle: string, offset: number, target: Uint8Array<ArrayBuffer>) =>
      await byobInto(
        await call("GET", `/api/files/${handle}?offset=${offset}&length=${target.length}`),
        target,
      ),
    close: (handle: string) => json("DELETE", `/api/files/${handle}`),
  };
})();
/**
 * Reads `response`'s body into `target`'s memory with a BYOB reader (the buffer moves:
 * the returned view, over the same memory, is the one to pass next time).
 */
async function byobInto(
  response: Response,
  target: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = response.body!.getReader({ mode: "byob" });
  // The first read moves the buffer: `target` reads as empty after it.
  const length = target.length;
  let buffer = target.buffer;
  let filled = 0;
  for (;;) {
    const view = filled < length
      ? new Uint8Array(buffer, filled, length - filled)
      : new Uint8Array(1);
    const { done, value } = await reader.read(view);
    if (done) {
      if (value && filled < length) buffer = value.buffer as ArrayBuffer;
      break;
    }
    if (filled < length) buffer = value.buffer as ArrayBuffer;
    if (value.length === 0) continue;
    if (filled >= length) throw new Error("body longer than asked");
    filled += value.length;
  }
  return new Uint8Array(buffer, 0, length).subarray(0, filled);
}

/** Reads `inFlight` at a time, each slot with its own reused buffer, checking each chunk. */
async function readLoop(
  read: (i: number, target: Uint8Array<ArrayBuffer>) => Promise<Uint8Array<ArrayBuffer>>,
): Promise<void> {
  const buffers = Array.from({ length: inFlight }, () => new Uint8Array(chunkBytes));
  let next = 0;
  await Promise.all(buffers.map(async (_, slot) => {
    for (let i; (i = next++) < chunks;) {
      const got = await read(i, buffers[slot]);
      if (got.length !== chunkBytes || got[0] !== (i & 0xff)) throw new Error(`chunk ${i} differs`);
      buffers[slot] = new Uint8Array(got.buffer, 0, chunkBytes);
    }
  }));
}

/**
 * The socket ceiling: raw TCP on 127.0.0.1 between two Deno sockets in this process, no
 * HTTP: `chunks` writes of one buffer, read into one reused buffer. Every byte a webview
 * gets from the app crosses such a socket (copied in by the sender, out by the reader).
 */
async function socketCopy(): Promise<void> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sending = (async () => {
    using conn = await listener.accept();
    for (let i = 0; i < chunks; i++) {
      const bytes = stamped(i);
      for (let n = 0; n < bytes.length;) n += await conn.write(bytes.subarray(n));
    }
  })();
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const buffer = new Uint8Array(chunkBytes);
  let total = 0;
  for (let n; (n = await conn.read(buffer)) !== null;) total += n;
  await sending;
  if (total !== totalBytes) throw new Error(`socket copy got ${total} bytes`);
}

/** The bench's workspace id, set once it is added. */
let id = "";

async function apiWrite(): Promise<void> {
  const { handle } = await api.open(id, "bench.bin", "w");
  // fetch copies a BufferSource body when called (the Fetch standard's "extract a body"),
  // so the next chunk's stamp cannot change one in flight.
  await inFlightLoop((i) => api.write(handle, i * chunkBytes, stamped(i)));
  await api.close(handle);
}

/** The same writes through the app service, no HTTP. */
async function serviceWrite(): Promise<void> {
  const { handle } = await app.app.workspace.open(id, "bench.bin", "w");
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

async function bareWrite(): Promise<void> {
  await inFlightLoop((i) =>
    fetch(`${bare.url}?offset=${i * chunkBytes}`, { method: "PUT", body: stamped(i) })
      .then((r) => r.arrayBuffer())
  );
}

async function bareRead(): Promise<void> {
  await readLoop(async (i, target) =>
    await byobInto(await fetch(`${bare.url}?offset=${i * chunkBytes}`), target)
  );
}

async function apiRead(): Promise<void> {
  const { handle } = await api.open(id, "bench.bin", "r");
  await readLoop((i, target) => api.readInto(handle, i * chunkBytes, target));
  await api.close(handle);
}

try {
  id = (await api.addWorkspace(workspaceDir)).id;
  const mib = totalBytes / (1 << 20);
  const steps = [
    plainWrite,
    serviceWrite,
    apiWrite,
    bareWrite,
    plainRead,
    serviceRead,
    apiRead,
    bareRead,
    socketCopy,
  ];
  const rows: number[][] = [];
  for (let round = 1; round <= rounds; round++) {
    const row: number[] = [];
    for (const step of steps) {
      row.push(await seconds(step));
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
      `${rounds} rounds (medians)\n\n` +
      `| path  | plain Deno MiB/s | app service MiB/s | UI API MiB/s | bare Deno.serve MiB/s | TCP socket MiB/s | service / plain | API / plain | API / bare | socket / plain |\n` +
      `| ----- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n` +
      row("write", 0) + "\n" + row("read ", 4),
  );
} finally {
  await bareServer.shutdown();
  await app.close();
  await Deno.remove(dir, { recursive: true });
}
