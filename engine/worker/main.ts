/**
 * The engine Worker: the only thread that calls into llama.cpp. It makes blocking
 * FFI calls on its own OS thread, so the main thread's event loop never waits on a
 * decode. It owns every native handle and frees children before parents.
 *
 * This module receives the requests, runs them in order and answers them; the handlers
 * live beside it by what they touch: `model_ops.ts` (models, adapters, mmproj, text),
 * `context_ops.ts` (contexts, samplers, direct generation), `serve_ops.ts` (serving);
 * the handles they share are in `worker_state.ts`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { NativeLibraries } from "../../ffi/library.ts";
import { EngineError, RpcWorkerError } from "../errors.ts";
import { addRpcServers } from "../../ffi/rpc_backend.ts";
import type { Reply, Request, SerializedError } from "../protocol.ts";
import type { EngineInfo } from "../types.ts";
import { contextOps } from "./context_ops.ts";
import { freeModel, modelOps } from "./model_ops.ts";
import { serveOps } from "./serve_ops.ts";
import { type Handler, type Handlers, type WorkerEnv, WorkerState } from "./worker_state.ts";
import { Arrivals } from "./arrivals.ts";

let state: WorkerState | undefined;

function live(): WorkerState {
  if (!state) throw new EngineError("Cannot run: the engine is not initialised");
  return state;
}

/** Serve loops waiting for a request to come in (see ServeLoop's yield). */
const arrivals = new Arrivals();
const env: WorkerEnv = { live, post, received: () => received, arrivals };

const handlers: Handlers = {
  init(args): EngineInfo {
    const libs = new NativeLibraries(args.dir, args.preloadDirs, args.echoLevel);
    try {
      addRpcServers(libs, args.rpcServers ?? [], args.rpcLibDirs ?? []);
    } catch (error) {
      libs.close();
      throw new RpcWorkerError("", "unsupported", (error as Error).message, { cause: error });
    }
    state = new WorkerState(libs, new Int32Array(args.abortFlags));
    return {
      libDir: args.dir,
      variant: args.variant,
      devices: libs.devices(),
      systemInfo: libs.systemInfo(),
    };
  },

  ...modelOps(env),
  ...contextOps(env),
  ...serveOps(env),

  async shutdown() {
    const s = state;
    if (!s) return;
    for (const modelId of [...s.models.keys()]) await freeModel(s, modelId);
    s.mtmd?.close();
    s.libs.close();
    state = undefined;
  },
};

function serialize(error: unknown): SerializedError {
  if (!(error instanceof Error)) {
    return { name: "Error", message: String(error), fields: {} };
  }
  const fields: Record<string, unknown> = {};
  for (
    const key of [
      "nPromptTokens",
      "nCtx",
      "path",
      "resource",
      "queued",
      "retryAfterSeconds",
      "endpoint",
      "failure",
      "dir",
    ]
  ) {
    if (key in error) fields[key] = (error as unknown as Record<string, unknown>)[key];
  }
  return { name: error.name, message: error.message, fields };
}

function post(reply: Reply): void {
  self.postMessage(reply);
}

async function run(request: Request): Promise<void> {
  const { id, op, args } = request;
  try {
    const handler = handlers[op] as Handler<typeof op>;
    post({ id, result: await handler(args as never, id) });
  } catch (error) {
    post({ id, error: serialize(error) });
  }
  if (op === "shutdown") self.close();
}

// Requests run one after another, so a free never overtakes the work sent before it,
// except served requests and their cancels: those end after many scheduler steps, and
// other requests run between the steps; and the device memory reading, which touches no
// model or context and must not wait behind a load or a long generation.
let queue = Promise.resolve();
/** Requests received; the main thread counts those it posted at POSTED_INDEX. */
let received = 0;
self.onmessage = (event: MessageEvent<Request>) => {
  received++;
  const request = event.data;
  if (request.op === "serveSubmit" || request.op === "serveCancel" || request.op === "devices") {
    void run(request);
  } else queue = queue.then(() => run(request));
  arrivals.arrived();
};
