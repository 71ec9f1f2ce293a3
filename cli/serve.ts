/**
 * `hearth serve`: serves one model over the OpenAI-compatible API until SIGINT or
 * SIGTERM.
 *
 * ```
 * hearth serve -m MODEL [--parallel N] [-c N_CTX] [-t N] [--host H] [--port P]
 *              [--api-key KEY] [--cors ORIGIN]... [--alias ID] [--chat-template-file FILE]
 * ```
 *
 * It binds 127.0.0.1:8080 by default. Any other address needs an API key (`--api-key`,
 * or `HEARTH_API_KEY` passed in by config.ts as `env.apiKey`); without one it refuses
 * to start.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { basename } from "node:path";
import { loadModel } from "../engine/model.ts";
import type { LoadModelOptions } from "../engine/model.ts";
import { createServingContext } from "../engine/serving.ts";
import { ServingBackend } from "../server/openai/serving_backend.ts";
import { isLoopback, startOpenAiServer } from "../server/openai/server.ts";
import { reportError, writeAllSync } from "./errors.ts";
import { exitIfStillRunning, serveUntilSignal } from "./serve_drain.ts";

/** What `serve` takes from the environment (read once by config.ts). */
export interface ServeEnv {
  /** `HEARTH_API_KEY`; `--api-key` wins over it. */
  apiKey?: string;
  /** A folder with libllama to use instead of the prebuilt package. */
  libDir?: string;
  /** A prebuilt `@node-llama-cpp/<variant>` package to force. */
  variant?: LoadModelOptions["variant"];
  /** llama.cpp log level. Default "none". */
  logLevel?: LoadModelOptions["logLevel"];
}

/** `serve`'s options after validation. */
export interface ServeOptions {
  /** The GGUF file. */
  model: string;
  /** The id clients name the model by. Default: the file name without `.gguf`. */
  alias: string;
  /** Requests served at once (slots); integer in [1, 256]. Default 4. */
  parallel: number;
  /**
   * Tokens each slot holds (prompt and completion), so the KV cache holds `parallel`
   * times this; `0` = the model's training context. Default 4096.
   */
  nCtx: number;
  /** CPU threads (llama.cpp's `-t`); integer in [1, 512]; undefined = logical CPUs. */
  nThreads: number | undefined;
  /** Address to bind. Default "127.0.0.1". */
  host: string;
  /** Port to bind; 0 = any free port. Default 8080. */
  port: number;
  /** Bearer key clients must send, if any. */
  apiKey: string | undefined;
  /** Browser origins allowed to call the API. */
  cors: string[];
  /** A Jinja chat template file to use instead of the model's own. */
  chatTemplateFile: string | undefined;
}

const HELP = `Usage: hearth serve -m MODEL [options]

Serves MODEL over an OpenAI-compatible API (/v1/chat/completions, /v1/completions,
/v1/embeddings, /v1/models, /health, /metrics) until Ctrl+C.

  -m, --model FILE            GGUF model to serve (required)
  -c, --ctx-size N            tokens each request may use (prompt and completion), per slot;
                              0 = the model's training context (default 4096)
      --parallel N            slots: requests decoded together by continuous batching,
                              1-256 (default 4); more requests wait in a queue
  -t, --threads N             CPU threads, 1-512 (default: logical CPUs)
      --host HOST             address to bind (default 127.0.0.1); other than loopback needs an API key
      --port PORT             port to bind; 0 = any free port (default 8080)
      --api-key KEY           require 'Authorization: Bearer KEY' (default: $HEARTH_API_KEY)
      --cors ORIGIN           allow browser calls from ORIGIN (repeat or comma-separate)
      --alias ID              model id clients use (default: the file name without .gguf)
      --chat-template-file F  Jinja chat template to use instead of the model's own
  -h, --help                  show this help
`;

/**
 * Parses and checks `serve`'s arguments; undefined for `--help`.
 *
 * @throws {TypeError} for an unknown flag or a missing model.
 * @throws {RangeError} for an out-of-range value, or a non-loopback host without an
 *   API key.
 */
export function parseServeArgs(
  args: readonly string[],
  env: ServeEnv = {},
): ServeOptions | undefined {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      model: { type: "string", short: "m" },
      "ctx-size": { type: "string", short: "c" },
      parallel: { type: "string" },
      threads: { type: "string", short: "t" },
      host: { type: "string" },
      port: { type: "string" },
      "api-key": { type: "string" },
      cors: { type: "string", multiple: true },
      alias: { type: "string" },
      "chat-template-file": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return undefined;
  if (values.model === undefined || values.model === "") {
    throw new TypeError("Cannot serve: no model given; pass -m MODEL.gguf");
  }
  const host = values.host ?? "127.0.0.1";
  const apiKey = values["api-key"] ?? (env.apiKey || undefined);
  if (!isLoopback(host) && apiKey === undefined) {
    throw new RangeError(
      `Cannot serve on "${host}" without an API key: pass --api-key or set HEARTH_API_KEY, or bind 127.0.0.1`,
    );
  }
  const cors = (values.cors ?? []).flatMap((o) => o.split(",")).map((o) => o.trim()).filter(
    Boolean,
  );
  for (const origin of cors) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin.replace(/\/$/, ""))) {
      throw new RangeError(
        `Cannot use --cors "${origin}": expected an origin such as http://localhost:3000`,
      );
    }
  }
  return {
    model: values.model,
    alias: values.alias ?? basename(values.model).replace(/\.gguf$/i, ""),
    parallel: intFlag("--parallel", values.parallel, 4, 1, 256),
    nCtx: intFlag("--ctx-size", values["ctx-size"], 4096, 0, 2 ** 24),
    // The range of config.ts's -t for chat and generate, and of ContextOptions.nThreads.
    nThreads: values.threads === undefined
      ? undefined
      : intFlag("--threads", values.threads, 0, 1, 512),
    host,
    port: intFlag("--port", values.port, 8080, 0, 65535),
    apiKey,
    cors,
    chatTemplateFile: values["chat-template-file"],
  };
}

/**
 * Runs `serve`: loads the model and one context of `--parallel` slots of `-c` tokens
 * each (n_ctx = parallel × `-c`) on `-t` threads, serves it, prints the URL, and waits
 * for SIGINT or SIGTERM, then drains (cli/serve_drain.ts). Errors are reported on
 * stderr.
 *
 * @returns 0 after a clean shutdown or `--help`; 1 when it cannot start, or when the
 *   drain was cut short (a second signal, or requests still running after 10 s).
 */
export async function serveCommand(args: string[], env: ServeEnv = {}): Promise<number> {
  let options: ServeOptions | undefined;
  try {
    options = parseServeArgs(args, env);
    if (options === undefined) {
      writeAllSync(Deno.stdout, HELP);
      return 0;
    }
    const chatTemplate = options.chatTemplateFile === undefined
      ? undefined
      : await Deno.readTextFile(options.chatTemplateFile);
    using model = await loadModel(options.model, {
      libDir: env.libDir,
      variant: env.variant,
      logLevel: env.logLevel,
    });
    using serving = await createServingContext(model, {
      nParallel: options.parallel,
      nCtxPerSlot: options.nCtx === 0 ? model.info.nCtxTrain : options.nCtx,
      nThreads: options.nThreads,
    });
    const backend = new ServingBackend(options.alias, serving);
    const context = serving.context;
    const server = startOpenAiServer(backend, {
      host: options.host,
      port: options.port,
      apiKey: options.apiKey,
      cors: options.cors,
      chatTemplate,
    });
    const { nSeqMax, nCtxSeq, nThreads } = context.info;
    writeAllSync(
      Deno.stdout,
      `hearth: serving "${options.alias}" at ${server.url}/v1 (${nSeqMax} slots of ` +
        `n_ctx ${nCtxSeq}, ${nThreads} thread${nThreads === 1 ? "" : "s"}); Ctrl+C to stop\n`,
    );
    const status = await serveUntilSignal(server);
    exitIfStillRunning(status);
    return status;
  } catch (error) {
    return reportError(error);
  }
}

function intFlag(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || value < min || value > max) {
    throw new RangeError(`Cannot use ${flag} "${text}": expected an integer in [${min}, ${max}]`);
  }
  return value;
}
