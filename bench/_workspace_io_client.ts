/**
 * The HTTP client of bench/workspace_io.ts: the UI API's write and read requests (as
 * ui/workspace_api.ts makes them), the same requests to the bare `Deno.serve`, and the
 * reading end of the raw TCP socket ceiling. In the product the client is the webview, a
 * process of its own (WebKit's network process), so the app's event loop never runs the
 * client's work (copying 8 MiB bodies, socket writes, BYOB reads). The bench therefore
 * runs this module as a child process by default (`--client process`), and imports it
 * into its own process for `--client same`, the earlier way.
 *
 * As a child: `deno run -A bench/_workspace_io_client.ts CONFIG_JSON` ({@link ClientConfig}),
 * then one {@link StepCommand} per stdin line; each gets one {@link StepResult} per stdout
 * line (or `{"error": "..."}`, then the process exits 1). The process stays up across
 * rounds, so its start is never timed.
 *
 * @module
 */

/** What the client needs to know about the servers and the bench's sizes. */
export interface ClientConfig {
  /** The app's UI origin, e.g. "http://127.0.0.1:43210". */
  origin: string;
  /** The app's launch secret (sent as `authorization: Bearer SECRET`). */
  secret: string;
  /** The workspace id the bench added for its temp folder. */
  workspace: string;
  /** The file's path in the workspace, e.g. "bench.bin". */
  path: string;
  /**
   * How the write step opens the file: "w" (created or emptied, as `writeFile` does) or
   * "r+" (rewritten in place, for `--overwrite`).
   */
  writeMode: "w" | "r+";
  /** The bare `Deno.serve`'s URL, ending in "/". */
  bareUrl: string;
  /** Bytes per request. */
  chunkBytes: number;
  /** Requests per step (the file is `chunks * chunkBytes` bytes). */
  chunks: number;
  /** HTTP requests in flight at once. */
  inFlight: number;
}

/** The steps the client runs. */
export type ClientStep = "apiWrite" | "apiRead" | "bareWrite" | "bareRead" | "socketRead";

/** One step to run; `port` is the bench's TCP listener for "socketRead". */
export interface StepCommand {
  /** Which step. */
  step: ClientStep;
  /** The TCP port to read from (socketRead only). */
  port?: number;
}

/** One step's timing, measured in the client from its first request to its last response. */
export interface StepResult {
  /** The step run. */
  step: ClientStep;
  /** Its time in seconds. */
  seconds: number;
  /** Bytes moved (and checked). */
  bytes: number;
}

/** A client: runs one step at a time. */
export interface WorkspaceIoClient {
  /** Runs one step and times it; rejects when a request fails or a chunk differs. */
  run(command: StepCommand): Promise<StepResult>;
}

/**
 * The UI API calls the bench makes, as ui/workspace_api.ts makes them (bench may not
 * import ui/): JSON for open and close, raw bytes for read and write.
 */
function benchApi(origin: string, secret: string) {
  const auth = { authorization: `Bearer ${secret}` };
  const call = async (method: string, path: string, init: RequestInit = {}) => {
    const response = await fetch(origin + path, {
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
}

/**
 * Adds `path` as a workspace through the UI API (`POST /api/workspaces`).
 *
 * @returns the workspace's id.
 * @throws {Error} when the app refuses it.
 */
export async function addWorkspace(origin: string, secret: string, path: string): Promise<string> {
  return (await benchApi(origin, secret).addWorkspace(path)).id;
}

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

/**
 * Random bytes of one chunk (so no layer can compress or skip them), repeated from a 64
 * KiB block; `stamped(i)` puts chunk i's index in byte 0, the mark every read checks.
 */
export function stamper(chunkBytes: number): (i: number) => Uint8Array<ArrayBuffer> {
  const block = crypto.getRandomValues(new Uint8Array(Math.min(chunkBytes, 65536)));
  const data = new Uint8Array(chunkBytes);
  for (let o = 0; o < chunkBytes; o += block.length) {
    data.set(block.subarray(0, chunkBytes - o), o);
  }
  return (i) => {
    data[0] = i & 0xff;
    return data;
  };
}

/** Creates the client steps for `config`. */
export function createClient(config: ClientConfig): WorkspaceIoClient {
  const { chunkBytes, chunks, inFlight, workspace, path } = config;
  const totalBytes = chunks * chunkBytes;
  const api = benchApi(config.origin, config.secret);
  const stamped = stamper(chunkBytes);

  /** Runs `request(i)` for every chunk, `inFlight` at a time. */
  const inFlightLoop = async (request: (i: number) => Promise<unknown>) => {
    const running = new Set<Promise<unknown>>();
    for (let i = 0; i < chunks; i++) {
      const one = request(i);
      running.add(one);
      one.finally(() => running.delete(one));
      if (running.size >= inFlight) await Promise.race(running);
    }
    await Promise.all(running);
  };

  /** Reads `inFlight` at a time, each slot with its own reused buffer, checking each chunk. */
  const readLoop = async (
    read: (i: number, target: Uint8Array<ArrayBuffer>) => Promise<Uint8Array<ArrayBuffer>>,
  ) => {
    const buffers = Array.from({ length: inFlight }, () => new Uint8Array(chunkBytes));
    let next = 0;
    await Promise.all(buffers.map(async (_, slot) => {
      for (let i; (i = next++) < chunks;) {
        const got = await read(i, buffers[slot]);
        if (got.length !== chunkBytes || got[0] !== (i & 0xff)) {
          throw new Error(`chunk ${i} differs`);
        }
        buffers[slot] = new Uint8Array(got.buffer, 0, chunkBytes);
      }
    }));
  };

  const steps: Record<ClientStep, (command: StepCommand) => Promise<void>> = {
    async apiWrite() {
      const { handle } = await api.open(workspace, path, config.writeMode);
      // fetch copies a BufferSource body when called (the Fetch standard's "extract a
      // body"), so the next chunk's stamp cannot change one in flight.
      await inFlightLoop((i) => api.write(handle, i * chunkBytes, stamped(i)));
      await api.close(handle);
    },
    async apiRead() {
      const { handle } = await api.open(workspace, path, "r");
      await readLoop((i, target) => api.readInto(handle, i * chunkBytes, target));
      await api.close(handle);
    },
    async bareWrite() {
      await inFlightLoop((i) =>
        fetch(`${config.bareUrl}?offset=${i * chunkBytes}`, { method: "PUT", body: stamped(i) })
          .then((r) => r.arrayBuffer())
      );
    },
    async bareRead() {
      await readLoop(async (i, target) =>
        await byobInto(await fetch(`${config.bareUrl}?offset=${i * chunkBytes}`), target)
      );
    },
    /** The reading end of the socket ceiling: raw TCP into one reused buffer. */
    async socketRead({ port }) {
      using conn = await Deno.connect({ hostname: "127.0.0.1", port: port! });
      const buffer = new Uint8Array(chunkBytes);
      let total = 0;
      for (let n; (n = await conn.read(buffer)) !== null;) total += n;
      if (total !== totalBytes) throw new Error(`socket read got ${total} bytes`);
    },
  };

  return {
    async run(command) {
      const step = steps[command.step];
      if (!step) throw new Error(`unknown step ${JSON.stringify(command.step)}`);
      const start = performance.now();
      await step(command);
      const seconds = (performance.now() - start) / 1000;
      return { step: command.step, seconds, bytes: totalBytes };
    },
  };
}

/** A client in a child Deno process, kept up until `close`. */
export interface ClientProcess extends WorkspaceIoClient, AsyncDisposable {
  /** The child's pid. */
  pid: number;
  /** Ends the child (closes its stdin) and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Starts this module as a child process for `config` (stderr shared with the bench).
 *
 * @throws {Error} from `run` when the child reports an error or exits.
 */
export function spawnClient(config: ClientConfig): ClientProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, JSON.stringify(config)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = readLines(child.stdout);
  const encoder = new TextEncoder();
  const close = async () => {
    await writer.close().catch(() => {});
    await child.status;
  };
  return {
    pid: child.pid,
    async run(command) {
      await writer.write(encoder.encode(JSON.stringify(command) + "\n"));
      const next = await lines.next();
      if (next.done) throw new Error(`client exited during ${command.step}`);
      const answer = JSON.parse(next.value);
      if (answer.error) throw new Error(`client, ${command.step}: ${answer.error}`);
      return answer as StepResult;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The lines of a byte stream, without their "\n". */
async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const bytes of stream) {
    rest += decoder.decode(bytes, { stream: true });
    for (let end; (end = rest.indexOf("\n")) >= 0;) {
      yield rest.slice(0, end);
      rest = rest.slice(end + 1);
    }
  }
}

if (import.meta.main) {
  const client = createClient(JSON.parse(Deno.args[0]) as ClientConfig);
  const out = async (value: unknown) => {
    const bytes = new TextEncoder().encode(JSON.stringify(value) + "\n");
    for (let n = 0; n < bytes.length;) n += await Deno.stdout.write(bytes.subarray(n));
  };
  for await (const line of readLines(Deno.stdin.readable)) {
    if (line.trim() === "") continue;
    try {
      await out(await client.run(JSON.parse(line) as StepCommand));
    } catch (error) {
      await out({ error: error instanceof Error ? error.message : String(error) });
      Deno.exit(1);
    }
  }
}
