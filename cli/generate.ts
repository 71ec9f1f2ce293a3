/**
 * `hearth generate`: completes one prompt, llama-cli style. The completion (never the
 * prompt) streams to stdout as it is generated; with `--json`, stdout gets exactly one
 * JSON object instead:
 *
 * ```json
 * { "text": "...", "finish_reason": "length", "metrics": { "promptTokens": 5, ... } }
 * ```
 *
 * `finish_reason` is OpenAI's spelling ("stop", "length", or "abort" after Ctrl+C);
 * `metrics` is the engine's GenerationMetrics as is (camelCase, units in the names:
 * promptTokens, cachedTokens, promptEvalTokens, generatedTokens, ttftMs, promptMs,
 * genMs, promptTokPerSec, genTokPerSec; with `-md DRAFT` also draftTokens,
 * draftAcceptedTokens and draftAcceptanceRate).
 *
 * @module
 */
import type { Config } from "../config/config.ts";
import { loadModel, type Model } from "../engine/model.ts";
import type { Context } from "../engine/context.ts";
import { ImageInputError } from "../engine/errors.ts";
import { loadLoraFlags } from "../config/lora_flags.ts";
import { loadDraftFlags } from "../config/draft_flags.ts";
import type { GenerateOptions } from "../engine/generate_options.ts";
import type { LoadModelOptions } from "../engine/model.ts";
import { writeAllSync } from "./errors.ts";
import { join } from "node:path";
import { LOAD_VERDICTS_FILE, LoadVerdicts } from "../engine/load_verdicts.ts";
import type { ProviderRegistry } from "../app/providers/registry.ts";
import { type RemoteModel, remoteModel, remoteSampling } from "./remote.ts";

/** The abort reason of Ctrl+C; cli/errors.ts prints it as one line. */
export function interrupted(): DOMException {
  return new DOMException("Interrupted by Ctrl+C", "AbortError");
}

/** The engine and load-time options a config asks for. */
export function modelOptions(config: Config): LoadModelOptions {
  return {
    // Kept in the data dir: a file's first run probes it in a child process, later runs not.
    loadVerdicts: new LoadVerdicts(join(config.dataDir, LOAD_VERDICTS_FILE)),
    libDir: config.libDir,
    variant: config.variant,
    logLevel: config.logLevel,
    rpc: config.rpc,
    nGpuLayers: config.nGpuLayers,
  };
}

/** The per-call options (sampling and length) a config asks for. */
export function callOptions(config: Config): GenerateOptions {
  return {
    temperature: config.temperature,
    topK: config.topK,
    topP: config.topP,
    minP: config.minP,
    repeatPenalty: config.repeatPenalty,
    // The engine reads an absent seed as "random" (llama.cpp's -1 / LLAMA_DEFAULT_SEED).
    seed: config.seed === -1 ? undefined : config.seed,
    maxTokens: config.nPredict,
  };
}

/**
 * Runs `generate`; resolves with the exit status. Ctrl+C stops the generation: what
 * was generated is still printed, and the status is 1.
 *
 * With `-m NAME:MODEL` naming a model of one of `providers`, the prompt goes to that
 * provider as one user message (chat completions: what every OpenAI-compatible server
 * has); `metrics` then holds what the provider reported (promptTokens, completionTokens,
 * ttftMs, genTokPerSec).
 *
 * @throws what loading or generating throws (ModelNotFoundError, GgufError,
 *   ContextOverflowError, ProviderError, ...); main.ts reports it.
 */
export async function generateCommand(
  config: Config,
  providers?: ProviderRegistry,
): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(interrupted());
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    const remote = remoteModel(config, providers);
    if (remote) return await generateRemote(config, remote, controller.signal);
    using opened = await openFlaggedModel(config, controller.signal);
    const { context } = opened;
    const images = await Promise.all(config.images.map((path) => readImage(path)));
    const generation = context.generate(config.prompt ?? "", {
      ...callOptions(config),
      ...(images.length ? { images } : {}),
      signal: controller.signal,
    });
    if (!config.json) {
      for await (const piece of generation) writeAllSync(Deno.stdout, piece.text);
    }
    const result = await generation.result;
    if (config.json) {
      const { text, finishReason, metrics } = result;
      writeAllSync(
        Deno.stdout,
        JSON.stringify({ text, finish_reason: finishReason, metrics }) + "\n",
      );
    } else if (Deno.stdout.isTerminal()) {
      // Only for a person: a pipe gets the completion byte for byte.
      writeAllSync(Deno.stdout, "\n");
    }
    if (result.finishReason === "abort") {
      throw interrupted();
    }
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

/** The model, its context and what the flags add to them; disposing frees them all. */
export interface FlaggedModel extends Disposable {
  model: Model;
  context: Context;
}

/**
 * Loads `-m` with the flags `generate` and `chat` share: the draft model (`-md`), one
 * context (`-c`, `-t`), LoRA adapters (`--lora`) and the mmproj (`--mmproj`). Disposing
 * frees the context, then the draft (the context's draft runs on it), then the model,
 * which stops its engine Worker (without that the process never exits); a failure on the
 * way frees what was loaded.
 *
 * @param signal Aborts the model load.
 * @throws what loading the model, draft, adapters or mmproj throws.
 */
export async function openFlaggedModel(
  config: Config,
  signal: AbortSignal,
): Promise<FlaggedModel> {
  using stack = new DisposableStack();
  const model = stack.use(await loadModel(config.model, { ...modelOptions(config), signal }));
  const draft = stack.use(await loadDraftFlags(model, config, modelOptions(config)));
  const context = stack.use(
    await model.createContext({
      nCtx: config.nCtx,
      nThreads: config.nThreads,
      ...(draft ? { draft: draft.options } : {}),
    }),
  );
  await loadLoraFlags(model, config.loras, context);
  if (config.mmproj !== undefined) await model.loadMmproj(config.mmproj);
  const owned = stack.move();
  return { model, context, [Symbol.dispose]: () => owned.dispose() };
}

/** An image file's bytes. @throws {ImageInputError} naming `--image` when it is missing. */
async function readImage(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ImageInputError(`no file "${path}" (--image)`);
    }
    throw error;
  }
}

/** `generate` on a provider's model. */
async function generateRemote(
  config: Config,
  remote: RemoteModel,
  signal: AbortSignal,
): Promise<number> {
  const completion = remote.backend.complete({
    model: remote.model,
    messages: [{ role: "user", content: config.prompt ?? "" }],
    sampling: remoteSampling(config),
    signal,
  });
  for await (const piece of completion) {
    if (!config.json) writeAllSync(Deno.stdout, piece.text);
  }
  const { text, finishReason, metrics } = await completion.result;
  if (config.json) {
    writeAllSync(
      Deno.stdout,
      JSON.stringify({ text, finish_reason: finishReason, metrics }) + "\n",
    );
  } else if (Deno.stdout.isTerminal()) {
    writeAllSync(Deno.stdout, "\n");
  }
  if (finishReason === "abort") throw interrupted();
  return 0;
}
