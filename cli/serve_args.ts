/**
 * `hearth serve`'s flags: parsed with the meaning llama-server gives them at the pinned
 * llama.cpp (common/arg.cpp and tools/server/server.cpp of 80fb11a), so a
 * llama-server command line keeps its meaning, memory included.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { basename } from "node:path";
import { KV_CACHE_TYPES, type KvCacheType } from "../engine/context_options.ts";
import type { LoadModelOptions } from "../engine/model.ts";
import { isLoopback } from "../server/openai/server.ts";
import { extractLoraFlags, LORA_HELP, type LoraFlag } from "../config/lora_flags.ts";

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
  /** The id clients name the model by: `--alias`'s first name, else the file name without `.gguf`. */
  alias: string;
  /** Slots (`-np`); integer in [1, 256]. Default 4 (llama-server's "auto"). */
  parallel: number;
  /**
   * One KV pool every slot may fill (`-kvu`). Default: true when `-np` is not given
   * (llama-server's auto slots), else false.
   */
  kvUnified: boolean;
  /**
   * KV cache tokens in all (`-c`), shared by the slots: `nCtx / parallel` each, or
   * all of it with `kvUnified`. 0 = the model's training context. Undefined (no `-c`):
   * the training context, lowered to what fits in free memory but not below 4096, as
   * llama-server's `--fit`.
   */
  nCtx: number | undefined;
  /** Logical batch (`-b`). Default 2048. */
  nBatch: number;
  /** Physical batch (`-ub`). Default 512. */
  nUbatch: number;
  /** Flash attention (`-fa on|off|auto`). Default "auto". */
  flashAttn: boolean | "auto";
  /** K cache type (`-ctk`). Default "f16". */
  typeK: KvCacheType;
  /** V cache type (`-ctv`). Default "f16". */
  typeV: KvCacheType;
  /** Layers on GPUs (`-ngl`); -1 = all ("auto" and "all"). Default -1. */
  nGpuLayers: number;
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
  /**
   * LoRA adapters (`--lora`, `--lora-scaled`), ids 0, 1, ... in this order at
   * `/lora-adapters`; their scales are the global ones at start. Default none.
   */
  loras: LoraFlag[];
}

/** `serve --help`. */
export const SERVE_HELP = `Usage: hearth serve -m MODEL [options]

Serves MODEL over an OpenAI-compatible API (/v1/chat/completions, /v1/completions,
/v1/embeddings, /v1/models, /health, /metrics, /lora-adapters) until Ctrl+C. Flags mean what they mean
to llama-server, so its command line keeps its meaning and its memory.

  -m, --model FILE            GGUF model to serve (required)
  -c, --ctx-size N            KV cache tokens in all, shared by the slots: each gets N/np
                              (padded to 256), or all N with --kv-unified; 0 = the model's
                              training context (default: that, lowered to what fits in free
                              memory, not below 4096)
  -np, --parallel N           slots: requests decoded together by continuous batching,
                              1-256 (default: 4 with --kv-unified); more requests wait
  -kvu, --kv-unified          one KV pool every slot may fill (default: on only when -np is
                              not given); idle slots give back their cached prompts when
                              active ones need the room
  -no-kvu, --no-kv-unified    N/np tokens per slot
  -b, --batch-size N          logical batch: most tokens per decode (default 2048)
  -ub, --ubatch-size N        physical batch: most tokens per compute step (default 512)
  -fa, --flash-attn on|off|auto   flash attention (default auto)
  -ctk, --cache-type-k TYPE   K cache type: ${Object.keys(KV_CACHE_TYPES).join(", ")} (default f16)
  -ctv, --cache-type-v TYPE   V cache type (default f16); quantized V needs flash attention
  -ngl, --gpu-layers N|auto|all  layers on the GPU (default auto); unlike llama-server,
                              auto offloads all layers rather than fitting them to memory
  -t, --threads N             CPU threads, 1-512 (default: logical CPUs; llama-server's
                              default is physical cores)
  -a, --alias NAMES           model id clients use; comma-separated, the first is listed
                              (default: the file name without .gguf)
      --jinja                 use the model's Jinja chat template (always on; --no-jinja
                              is refused: Hearth has no other template engine)
      --chat-template-file F  Jinja chat template to use instead of the model's own
      --host HOST             address to bind (default 127.0.0.1); other than loopback needs an API key
      --port PORT             port to bind; 0 = any free port (default 8080)
      --api-key KEY           require 'Authorization: Bearer KEY' (default: $HEARTH_API_KEY)
      --cors ORIGIN           allow browser calls from ORIGIN (repeat or comma-separate)
${LORA_HELP}
                              (ids 0, 1, ... at /lora-adapters; requests pick with "lora")
  -h, --help                  show this help

It refuses to start when the weights, KV cache and compute buffers do not fit in free
memory, and prints what each needs.
`;

/** llama-server's multi-letter single-dash flags, which node:util's parseArgs cannot take. */
const LONG_NAMES: Readonly<Record<string, string>> = {
  "-np": "--parallel",
  "-kvu": "--kv-unified",
  "-no-kvu": "--no-kv-unified",
  "-ub": "--ubatch-size",
  "-fa": "--flash-attn",
  "-ctk": "--cache-type-k",
  "-ctv": "--cache-type-v",
  "-ngl": "--gpu-layers",
  "--n-gpu-layers": "--gpu-layers",
};

/**
 * Parses and checks `serve`'s arguments; undefined for `--help`.
 *
 * @throws {TypeError} for an unknown flag or a missing model.
 * @throws {RangeError} for an out-of-range value, `--no-jinja`, or a non-loopback host
 *   without an API key.
 */
export function parseServeArgs(
  args: readonly string[],
  env: ServeEnv = {},
): ServeOptions | undefined {
  const { loras, rest } = extractLoraFlags(args);
  const { values } = parseArgs({
    args: rest.map(longName),
    strict: true,
    allowPositionals: false,
    options: {
      model: { type: "string", short: "m" },
      "ctx-size": { type: "string", short: "c" },
      parallel: { type: "string" },
      "kv-unified": { type: "boolean" },
      "no-kv-unified": { type: "boolean" },
      "batch-size": { type: "string", short: "b" },
      "ubatch-size": { type: "string" },
      "flash-attn": { type: "string" },
      "cache-type-k": { type: "string" },
      "cache-type-v": { type: "string" },
      "gpu-layers": { type: "string" },
      threads: { type: "string", short: "t" },
      host: { type: "string" },
      port: { type: "string" },
      "api-key": { type: "string" },
      cors: { type: "string", multiple: true },
      alias: { type: "string", short: "a" },
      jinja: { type: "boolean" },
      "no-jinja": { type: "boolean" },
      "chat-template-file": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return undefined;
  if (values.model === undefined || values.model === "") {
    throw new TypeError("Cannot serve: no model given; pass -m MODEL.gguf");
  }
  if (values["no-jinja"]) {
    throw new RangeError(
      "Cannot serve with --no-jinja: Hearth renders every chat template with Jinja; drop the flag",
    );
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
  // llama-server: -np unset (or -1) is "auto", 4 slots sharing one unified pool.
  const parallel = intFlag("--parallel", values.parallel, -1, -1, 256);
  if (parallel === 0) {
    throw new RangeError(`Cannot use --parallel "0": expected -1 (auto) or an integer in [1, 256]`);
  }
  const kvUnified = values["no-kv-unified"] ? false : values["kv-unified"] ?? parallel === -1;
  const nBatch = intFlag("--batch-size", values["batch-size"], 2048, 1, 2 ** 31 - 1);
  const aliases = (values.alias ?? "").split(",").map((a) => a.trim()).filter(Boolean);
  return {
    model: values.model,
    alias: aliases[0] ?? basename(values.model).replace(/\.gguf$/i, ""),
    parallel: parallel === -1 ? 4 : parallel,
    kvUnified,
    nCtx: values["ctx-size"] === undefined
      ? undefined
      : intFlag("--ctx-size", values["ctx-size"], 0, 0, 2 ** 31 - 1),
    nBatch,
    nUbatch: intFlag("--ubatch-size", values["ubatch-size"], Math.min(512, nBatch), 1, nBatch),
    flashAttn: flashAttnFlag(values["flash-attn"]),
    typeK: cacheTypeFlag("--cache-type-k", values["cache-type-k"]),
    typeV: cacheTypeFlag("--cache-type-v", values["cache-type-v"]),
    nGpuLayers: gpuLayersFlag(values["gpu-layers"]),
    // The range of config.ts's -t for chat and generate, and of ContextOptions.nThreads.
    nThreads: values.threads === undefined
      ? undefined
      : intFlag("--threads", values.threads, 0, 1, 512),
    host,
    port: intFlag("--port", values.port, 8080, 0, 65535),
    apiKey,
    cors,
    chatTemplateFile: values["chat-template-file"],
    loras,
  };
}

function longName(arg: string): string {
  const eq = arg.indexOf("=");
  const name = eq < 0 ? arg : arg.slice(0, eq);
  const long = LONG_NAMES[name];
  return long === undefined ? arg : long + (eq < 0 ? "" : arg.slice(eq));
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

/** common/arg.cpp's is_truthy / is_falsey / is_autoy. */
function flashAttnFlag(text: string | undefined): boolean | "auto" {
  if (text === undefined || text === "auto" || text === "-1") return "auto";
  if (["on", "enabled", "true", "1"].includes(text)) return true;
  if (["off", "disabled", "false", "0"].includes(text)) return false;
  throw new RangeError(`Cannot use --flash-attn "${text}": expected on, off or auto`);
}

function cacheTypeFlag(flag: string, text: string | undefined): KvCacheType {
  if (text === undefined) return "f16";
  if (text in KV_CACHE_TYPES) return text as KvCacheType;
  throw new RangeError(
    `Cannot use ${flag} "${text}": expected one of ${Object.keys(KV_CACHE_TYPES).join(", ")}`,
  );
}

function gpuLayersFlag(text: string | undefined): number {
  if (text === undefined || text === "auto" || text === "all") return -1;
  const value = intFlag("--gpu-layers", text, -1, -2, 2 ** 31 - 1);
  return value < 0 ? -1 : value; // llama.cpp: -1 auto, <= -2 all
}
