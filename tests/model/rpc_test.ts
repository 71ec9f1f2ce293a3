/**
 * A model split across llama.cpp RPC workers: real `ggml-rpc-server` processes on
 * 127.0.0.1 (native/build.sh rpc), the prebuilt libllama with the built libggml-rpc.
 * Greedy output through the workers is byte-identical to the local run; a worker
 * killed mid-generation ends that request with RpcWorkerError naming it, and this
 * process goes on (local models, the surviving worker). Skipped, with the reason
 * printed, when no ggml-rpc-server is built; CI builds one (.ci/run).
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { Engine } from "../../engine/engine.ts";
import { loadModel } from "../../engine/model.ts";
import { RpcWorkerError } from "../../engine/errors.ts";
import { estimateMemory } from "../../engine/memory_fit.ts";
import { ModelHost } from "../../app/model_host.ts";
import { EventHub } from "../../app/events.ts";
import { STORIES_260K, SYNTHETIC_135M } from "../models.ts";
import { RPC_SKIP_REASON, startRpcWorker } from "./_rpc_workers.ts";

if (RPC_SKIP_REASON) console.warn(`skipping the RPC tests: ${RPC_SKIP_REASON}`);

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PROMPT = "Once upon a time";

// The engine's child process (engine/engine_process.ts) ends after the test has
// disposed it, once its input closes: its status op may still be pending then.
const rpcTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, ignore: RPC_SKIP_REASON !== undefined, sanitizeOps: false, fn });

/** Greedy text of `path` on `engine` (or a local engine), `nGpuLayers` as given. */
async function greedy(
  path: string,
  maxTokens: number,
  options: { engine?: Engine; nGpuLayers?: number; useExtraBufts?: boolean } = {},
): Promise<string> {
  using model = await loadModel(path, { nGpuLayers: -1, ...options });
  using ctx = await model.createContext({ nCtx: 256 });
  return await ctx.generate(PROMPT, { temperature: 0, maxTokens }).text();
}

rpcTest("two RPC workers: their devices, and greedy text identical to the local run", async () => {
  await using a = await startRpcWorker();
  await using b = await startRpcWorker();
  using engine = await Engine.start({ rpc: `${a.endpoint},${b.endpoint}` });
  const remote = engine.info.devices.filter((d) => d.backend === "RPC");
  assertEquals(remote.map((d) => d.description), [a.endpoint, b.endpoint]);
  // llama.cpp asks each worker for its memory: memory fit sees remote devices.
  for (const device of remote) assert(device.memoryTotalBytes > 0, JSON.stringify(device));
  const fit = await estimateMemory(engine, SYNTHETIC_135M, { nCtx: 256 });
  assertEquals(fit.method, "simulation");
  const rows = fit.devices.filter((d) => d.device.startsWith("RPC"));
  assertEquals(rows.map((d) => d.device).sort(), remote.map((d) => d.name).sort());
  for (const row of rows) {
    assert(row.weightsBytes > 0 && row.kvCacheBytes > 0, JSON.stringify(row));
    assert(row.freeBytes > 0, JSON.stringify(row));
  }

  for (const [path, n] of [[STORIES_260K, 32], [SYNTHETIC_135M, 12]] as const) {
    // A worker's CPU backend runs the plain kernels; the local one would repack the weights
    // (AVX-512 and other CPUs) into kernels that round differently, and on random weights
    // (synthetic-135m) greedy text follows every last bit.
    const local = await greedy(path, n, { nGpuLayers: 0, useExtraBufts: false });
    using model = await loadModel(path, { engine, nGpuLayers: -1 });
    // Every layer and the output layer went to the workers ("offloaded N/N").
    assertEquals(model.info.nLayersOffloaded, model.info.nLayer + 1);
    using ctx = await model.createContext({ nCtx: 256 });
    const split = await ctx.generate(PROMPT, { temperature: 0, maxTokens: n }).text();
    assertEquals(split, local, path);
  }
});

rpcTest("-ngl splits layers between this machine and a worker", async () => {
  await using worker = await startRpcWorker();
  using engine = await Engine.start({ rpc: worker.endpoint });
  using model = await loadModel(STORIES_260K, { engine, nGpuLayers: 3 });
  assertEquals(model.info.nLayersOffloaded, 3);
  using ctx = await model.createContext({ nCtx: 256 });
  const split = await ctx.generate(PROMPT, { temperature: 0, maxTokens: 32 }).text();
  assertEquals(split, await greedy(STORIES_260K, 32, { nGpuLayers: 0 }));
});

rpcTest(
  "a worker killed mid-generation ends the request with its name; Hearth goes on",
  async () => {
    await using doomed = await startRpcWorker();
    await using survivor = await startRpcWorker();
    const engine = await Engine.start({ rpc: `${survivor.endpoint},${doomed.endpoint}` });
    try {
      using model = await loadModel(STORIES_260K, { engine, nGpuLayers: -1 });
      using ctx = await model.createContext({ nCtx: 2048 });
      // Every token is a round trip to both workers: far longer than the kill takes.
      const generation = ctx.generate(PROMPT, { temperature: 0, maxTokens: 1500 });
      let pieces = 0;
      const error = await assertRejects(async () => {
        for await (const _ of generation) if (++pieces === 1) await doomed.kill();
      }, RpcWorkerError);
      assertEquals([error.failure, error.endpoint], ["lost", doomed.endpoint]);
      assert(error.message.startsWith(`RPC worker ${doomed.endpoint} went away`), error.message);
      assert(engine.disposed, "the engine whose process ended is disposed");
    } finally {
      engine.dispose();
    }
    // This process lives on: a local model, and a new engine on the surviving worker.
    assert((await greedy(STORIES_260K, 8, { nGpuLayers: 0 })).length > 0);
    using again = await Engine.start({ rpc: survivor.endpoint });
    assert((await greedy(STORIES_260K, 8, { engine: again })).length > 0);
  },
);

rpcTest("the app's model host starts a new engine once its RPC worker went away", async () => {
  const first = await startRpcWorker();
  const host = new ModelHost(new EventHub(), { rpc: first.endpoint });
  try {
    await host.load(STORIES_260K, 256);
    const dead = await host.engine();
    await first.kill();
    // The next use of the model (here a context's buffers on the worker) finds it gone.
    const error = await assertRejects(async () => {
      using ctx = await host.model!.createContext({ nCtx: 256 });
      await ctx.generate(PROMPT, { temperature: 0, maxTokens: 8 }).text();
    }, RpcWorkerError);
    assertEquals(error.endpoint, first.endpoint);
    assertEquals(host.loaded, null);
    // The worker is back (a supervisor restarted it): the next load just works.
    await using _worker = await startRpcWorker(first.port);
    const loaded = await host.load(STORIES_260K, 256);
    assertEquals(loaded.path, STORIES_260K);
    assert((await host.engine()) !== dead, "a new engine");
  } finally {
    host.close();
  }
});

rpcTest("hearth generate --rpc prints what the local run prints", async () => {
  await using worker = await startRpcWorker();
  const run = async (...extra: string[]) => {
    const args = ["run", "-A", "main.ts", "generate", "-m", STORIES_260K, "--temp", "0"];
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [...args, "-n", "24", "-p", PROMPT, ...extra],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    assertEquals(code, 0, text.decode(stderr));
    return text.decode(stdout);
  };
  assertEquals(await run("--rpc", worker.endpoint), await run());
});

rpcTest("hearth rpc-server runs a worker that --rpc can use, and stops on SIGTERM", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "rpc-server", "--port", String(port), "-t", "1"],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    // Engine.start probes it; poll until the worker is up.
    let engine: Engine | undefined;
    for (let tries = 0; engine === undefined; tries++) {
      try {
        engine = await Engine.start({ rpc: `127.0.0.1:${port}` });
      } catch (error) {
        if (!(error instanceof RpcWorkerError) || tries > 200) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    using _ = engine;
    assert(engine.info.devices.some((d) => d.description === `127.0.0.1:${port}`));
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    assert(status.signal === null || status.signal === "SIGTERM", JSON.stringify(status));
  }
});
