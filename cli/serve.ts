/**
 * `hearth serve`: serves one model over the OpenAI-compatible API until SIGINT or
 * SIGTERM.
 *
 * ```
 * hearth serve -m MODEL [-c N_CTX] [-np N] [-kvu] [-b N] [-ub N] [-fa on|off|auto]
 *              [-ctk TYPE] [-ctv TYPE] [-ngl N] [-t N] [--host H] [--port P]
 *              [--api-key KEY] [--cors ORIGIN]... [--alias ID] [--chat-template-file FILE]
 * ```
 *
 * Flags mean what they mean to llama-server (cli/serve_args.ts): `-c` is the KV cache
 * in all, shared by the `-np` slots. It binds 127.0.0.1:8080 by default. Any other
 * address needs an API key (`--api-key`, or `HEARTH_API_KEY` passed in by config/config.ts as
 * `env.apiKey`); without one it refuses to start. A configuration whose memory does not
 * fit is refused before anything is allocated.
 *
 * @module
 */
import { Engine } from "../engine/engine.ts";
import { loadModel } from "../engine/model.ts";
import { estimateMemory, type MemoryFit, type MemoryFitOptions } from "../engine/memory_fit.ts";
import { createServingContext } from "../engine/serving.ts";
import type { ContextInfo } from "../engine/types.ts";
import { ServingBackend } from "../server/openai/serving_backend.ts";
import { ServedLoras } from "../server/openai/loras.ts";
import { loadLoraFlags } from "../config/lora_flags.ts";
import { loadDraftFlags } from "../config/draft_flags.ts";
import { startOpenAiServer } from "../server/openai/server.ts";
import { ProviderRegistry } from "../app/providers/registry.ts";
import { providersEnv } from "../config/config.ts";
import { reportError, writeAllSync } from "./errors.ts";
import { parseServeArgs, SERVE_HELP, type ServeEnv, type ServeOptions } from "./serve_args.ts";
import { exitIfStillRunning, serveUntilSignal } from "./serve_drain.ts";

export { parseServeArgs, type ServeEnv, type ServeOptions } from "./serve_args.ts";

/** llama-server's `fit_params_min_ctx`: `--fit` lowers an unset `-c` no further. */
const FIT_MIN_CTX = 4096;

/**
 * Runs `serve`: checks that the model, the KV cache of `-c` tokens (shared by `-np`
 * slots) and the compute buffers fit in free memory, loads them on `-t` threads,
 * serves, prints the URL, and waits for SIGINT or SIGTERM. Errors are reported on
 * stderr.
 *
 * @returns 0 after a clean shutdown or `--help`; 1 when it cannot start (bad flags,
 *   a configuration that does not fit in memory, a model that does not load), or when
 *   the drain was cut short (a second signal, or requests still running after 10 s).
 */
export async function serveCommand(args: string[], env: ServeEnv = {}): Promise<number> {
  let options: ServeOptions | undefined;
  try {
    options = parseServeArgs(args, env);
    if (options === undefined) {
      writeAllSync(Deno.stdout, SERVE_HELP);
      return 0;
    }
    const chatTemplate = options.chatTemplateFile === undefined
      ? undefined
      : await Deno.readTextFile(options.chatTemplateFile);
    using engine = await Engine.start({
      libDir: env.libDir,
      variant: env.variant,
      logLevel: env.logLevel,
      rpc: options.rpc,
    });
    const nCtx = await fittingNCtx(engine, options);
    using model = await loadModel(options.model, { engine, nGpuLayers: options.nGpuLayers });
    // Disposed after the serving context (declared first): its slots draft with it.
    using draft = await loadDraftFlags(model, options);
    using serving = await createServingContext(model, {
      nParallel: options.parallel,
      nCtx,
      kvUnified: options.kvUnified,
      nBatch: options.nBatch,
      nUbatch: options.nUbatch,
      flashAttn: options.flashAttn,
      typeK: options.typeK,
      typeV: options.typeV,
      nThreads: options.nThreads,
      ...(draft ? { draft: draft.options } : {}),
    });
    const loras = new ServedLoras(await loadLoraFlags(model, options.loras));
    if (options.mmproj !== undefined) await model.loadMmproj(options.mmproj);
    const backend = new ServingBackend(options.alias, serving, loras, options.aliases);
    const context = serving.context;
    const server = startOpenAiServer(backend, {
      host: options.host,
      port: options.port,
      apiKey: options.apiKey,
      cors: options.cors,
      chatTemplate,
      allowImageUrls: options.allowImageUrls,
      // One local endpoint for local and remote models: NAME:MODEL goes to provider NAME.
      providers: new ProviderRegistry(providersEnv()),
    });
    writeAllSync(
      Deno.stdout,
      `hearth: serving "${options.alias}" at ${server.url}/v1 ` +
        `(${applied(context.info, options)}); Ctrl+C to stop\n`,
    );
    const status = await serveUntilSignal(server, undefined, engine.failed);
    exitIfStillRunning(status);
    return status;
  } catch (error) {
    return reportError(error);
  }
}

/**
 * What llama.cpp made of the flags, as its context reports them (n_batch lowered to
 * n_ctx, n_ubatch to n_batch, n_ctx padded to 256): what llama-server logs at start.
 */
function applied(info: ContextInfo, options: ServeOptions): string {
  const { nSeqMax, nCtxSeq, nThreads, nBatch, nUbatch } = info;
  const pool = options.kvUnified && nSeqMax > 1
    ? `${nSeqMax} slots sharing n_ctx ${info.nCtx}`
    : `${nSeqMax} slot${nSeqMax === 1 ? "" : "s"} of n_ctx ${nCtxSeq}`;
  const kvMib = (info.kvCacheBytes / 2 ** 20).toFixed(2);
  return `${pool}, ${nThreads} thread${nThreads === 1 ? "" : "s"}; n_batch ${nBatch}, ` +
    `n_ubatch ${nUbatch}, KV cache ${kvMib} MiB (K ${options.typeK}, V ${options.typeV})`;
}

/**
 * The n_ctx to serve with: `-c` as given when it fits, else a RangeError with the
 * figures; without `-c`, the training context lowered to the largest that fits (not
 * below 4096), as llama-server's `--fit` adjusts only what the user left unset.
 */
async function fittingNCtx(engine: Engine, options: ServeOptions): Promise<number> {
  const fitOptions: MemoryFitOptions = {
    nCtx: options.nCtx ?? 0,
    nSeqMax: options.parallel,
    kvUnified: options.kvUnified,
    nBatch: options.nBatch,
    nUbatch: options.nUbatch,
    flashAttn: options.flashAttn,
    typeK: options.typeK,
    typeV: options.typeV,
    nGpuLayers: options.nGpuLayers,
  };
  // The metadata formula first: llama.cpp's simulation allocates per-cell bookkeeping
  // even with no_alloc, so simulating an absurd -c would itself run out of memory.
  const guess = await estimateMemory(null, options.model, fitOptions).catch(() => undefined);
  if (guess?.verdict === "does-not-fit") {
    const lowered = Math.min(guess.nCtx, largestNCtx(guess, options));
    if (options.nCtx !== undefined || lowered < FIT_MIN_CTX) {
      throw new RangeError(fitRefusal(guess, options));
    }
    fitOptions.nCtx = lowered;
  }
  let fit = await estimateMemory(engine, options.model, fitOptions);
  if (options.nCtx === undefined && fit.verdict === "does-not-fit") {
    const lowered = Math.min(fit.nCtx, largestNCtx(fit, options));
    if (lowered >= FIT_MIN_CTX) {
      fit = await estimateMemory(engine, options.model, { ...fitOptions, nCtx: lowered });
    }
  }
  if (fit.verdict === "does-not-fit") throw new RangeError(fitRefusal(fit, options));
  return fit.nCtx;
}

/**
 * The largest `-c` that fits: `fit.maxNCtx` is per KV stream, and without
 * `--kv-unified` every slot has its own stream of `-c / -np` tokens.
 */
function largestNCtx(fit: MemoryFit, options: ServeOptions): number {
  return options.kvUnified ? fit.maxNCtx : fit.maxNCtx * options.parallel;
}

/**
 * The refusal: the `-c` given (n_ctx after llama.cpp's padding), then what each device
 * needs against what it has free, in MiB, and the largest `-c` that fits.
 */
export function fitRefusal(fit: MemoryFit, options: ServeOptions): string {
  const mib = (bytes: number) => `${Math.ceil(bytes / 2 ** 20)} MiB`;
  const short = fit.devices.filter((d) => d.totalBytes > d.freeBytes);
  const rows = (short.length > 0 ? short : fit.devices).map((d) =>
    `${d.device} needs ${mib(d.totalBytes)} (KV cache ${mib(d.kvCacheBytes)}, weights ` +
    `${mib(d.weightsBytes)}, compute ${mib(d.computeBytes)}) and has ${mib(d.freeBytes)} free`
  );
  const shared = options.kvUnified ? "shared by" : "split over";
  const ceiling = options.kvUnified ? "the training context" : "the training context per slot";
  const advice = fit.maxNCtx > 0
    ? `the largest -c that fits (up to ${ceiling}) is ${largestNCtx(fit, options)}; lower ` +
      `-c or -np, quantize the cache (-ctk/-ctv q8_0) or free memory`
    : "even the weights do not fit: choose a smaller model or offload fewer layers (-ngl)";
  const given = options.nCtx === undefined ? "no -c" : `-c ${options.nCtx}`;
  return `Cannot serve with ${given} (n_ctx ${fit.nCtx}, ${shared} ${options.parallel} slot` +
    `${options.parallel === 1 ? "" : "s"}): ${rows.join("; ")}; ${advice}`;
}
