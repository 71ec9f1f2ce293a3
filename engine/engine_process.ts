/**
 * The engine Worker in a child process (engine/_engine_child.ts), behind the part of
 * the Worker interface {@link Engine} uses. An engine that uses llama.cpp RPC workers
 * runs here: ggml's RPC client calls `abort()` when a worker goes away mid-load or
 * mid-decode (`RPC_STATUS_ASSERT` in ggml-rpc.cpp, from its dispatcher thread), and an
 * abort in a Worker is an abort of the whole process. In a child it ends only the
 * child: every pending request then fails with {@link RpcWorkerError} "lost", naming
 * the worker that no longer answers, and the app lives on.
 *
 * @module
 */
import { spawnEngineChild } from "./_child_process.ts";
import { RpcWorkerError } from "./errors.ts";
import { encodeFrame, readFrames } from "./_frames.ts";
import type { FromChild, SharedPlaceholder, ToChild } from "./_engine_child.ts";
import type { Reply, Request } from "./protocol.ts";
import { probeRpcServer, type RpcEndpoint } from "./rpc_endpoints.ts";

/** How long a worker may take to answer the probe after the engine process died, in ms. */
const LOST_PROBE_TIMEOUT_MS = 2_000;
/** stderr lines kept to explain an ending. */
const LAST_LINES = 8;

/** An engine Worker in a child process; the subset of `Worker` that Engine uses. */
export class EngineProcess {
  /** Called with each reply, as a Worker's `onmessage`. */
  onmessage: ((event: { data: Reply }) => void) | null = null;
  /** Called once when the process ends on its own (not after {@link terminate}). */
  onexit: ((error: Error) => void) | null = null;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #shared = new Map<string, SharedArrayBuffer>();
  readonly #endpoints: readonly RpcEndpoint[];
  readonly #lastLines: string[] = [];
  readonly #echoStderr: boolean;
  #closing = false;

  /**
   * Starts the child process.
   *
   * @param endpoints The RPC workers the engine uses: probed after an unexpected end
   *   to name the one that went away.
   * @param echoStderr Copy the child's stderr to ours (the engine's log level is not
   *   "none"); its last lines explain an unexpected end either way.
   */
  constructor(endpoints: readonly RpcEndpoint[], echoStderr: boolean) {
    this.#endpoints = endpoints;
    this.#echoStderr = echoStderr;
    this.#child = spawnEngineChild(new URL("./_engine_child.ts", import.meta.url), [], "piped");
    this.#writer = this.#child.stdin.getWriter();
    void this.#readReplies();
    const stderr = this.#relayStderr();
    void Promise.all([this.#child.status, stderr]).then(([status]) => this.#ended(status));
  }

  /** Sends a request; SharedArrayBuffer arguments become the child's own. */
  postMessage(request: Request): void {
    const args = { ...request.args } as Record<string, unknown>;
    for (const [key, value] of Object.entries(args)) {
      if (!(value instanceof SharedArrayBuffer)) continue;
      this.#shared.set(`${request.id}/${key}`, value);
      args[key] = { sharedBytes: value.byteLength } satisfies SharedPlaceholder;
    }
    this.#send({ t: "request", request: { ...request, args } as Request });
  }

  /** Stores `serial` in abort slot `slot` of the child's abort flags. */
  abort(slot: number, serial: number): void {
    this.#send({ t: "abort", slot, serial });
  }

  /** Ends the child: it exits when its input closes. Idempotent. */
  terminate(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#writer.close().catch(() => {});
    // A child stuck in a native call does not read its input: end it anyway.
    const timer = setTimeout(() => this.#kill(), 5_000);
    Deno.unrefTimer(timer);
    void this.#child.status.then(() => clearTimeout(timer));
  }

  #send(message: ToChild): void {
    if (this.#closing) return;
    this.#writer.write(encodeFrame(message)).catch(() => {
      // The child is gone; #ended reports it.
    });
  }

  #kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }

  async #readReplies(): Promise<void> {
    for await (const frame of readFrames(this.#child.stdout)) {
      const message = frame as FromChild;
      if (message.t === "reply") this.onmessage?.({ data: message.reply });
      else if (message.t === "shared") {
        const target = this.#shared.get(`${message.id}/${message.key}`);
        if (target) new Int32Array(target).set(message.values.subarray(0, target.byteLength / 4));
      } else if (message.t === "error") {
        this.#closing = true;
        this.#kill();
        this.onexit?.(new Error(`Engine worker failed: ${message.message}`));
        this.onexit = null;
      }
    }
  }

  /**
   * Keeps the last lines of the child's stderr (llama.cpp's log, ggml's own log and its
   * abort message) and copies them to ours if asked.
   */
  async #relayStderr(): Promise<void> {
    let partial = "";
    for await (const chunk of this.#child.stderr) {
      if (this.#echoStderr) Deno.stderr.writeSync(chunk);
      const parts = (partial + new TextDecoder().decode(chunk)).split("\n");
      partial = parts.pop()!;
      for (const line of parts) if (line.trim() !== "") this.#lastLines.push(line.trim());
      this.#lastLines.splice(0, Math.max(0, this.#lastLines.length - LAST_LINES));
    }
    if (partial.trim() !== "") this.#lastLines.push(partial.trim());
  }

  async #ended(status: Deno.CommandStatus): Promise<void> {
    if (this.#closing || this.onexit === null) return;
    const how = status.signal ? `killed by ${status.signal}` : `exited with code ${status.code}`;
    // ggml prefixes its aborts with the build machine's source path: keep the message.
    const last = (this.#lastLines.findLast((line) => /abort|RPC|error/i.test(line)) ??
      this.#lastLines.at(-1) ?? "no log").replace(/^\/\S*\/(?=[^/\s]+:\d+:)/, "");
    const gone: RpcEndpoint[] = [];
    await Promise.all(this.#endpoints.map(async (endpoint) => {
      try {
        await probeRpcServer(endpoint, LOST_PROBE_TIMEOUT_MS);
      } catch {
        gone.push(endpoint);
      }
    }));
    const lost = this.#endpoints.find((endpoint) => gone.includes(endpoint));
    const names = this.#endpoints.map((endpoint) => endpoint.text).join(", ");
    const error = lost
      ? new RpcWorkerError(
        lost.text,
        "lost",
        `RPC worker ${lost.text} went away: the engine process that used it ended (${how}: ` +
          `${last}); start the worker again and load the model again`,
      )
      : new RpcWorkerError(
        "",
        "lost",
        `The engine process for RPC workers ${names} ended (${how}: ${last}); ` +
          "load the model again",
      );
    const onexit = this.onexit;
    this.onexit = null;
    onexit?.(error);
  }
}
