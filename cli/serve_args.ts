/**
 * `hearth serve`'s flags: parsed with the meaning llama-server gives them at the pinned
 * llama.cpp (common/arg.cpp and tools/server/server.cpp of 80fb11a), so a
 * llama-server command line keeps its meaning, memory included.
 *
 * @module
 */
import { basename } from "node:path";
import { KV_CACHE_TYPES, type KvCacheType } from "../engine/context_options.ts";
import type { LoadModelOptions } from "../engine/model.ts";
import { isLoopback } from "../server/openai/server.ts";
import { parseRpcServers } from "../engine/rpc_endpoints.ts";
import {
  type Command,
  formatOptions,
  optionRow,
  type OptionSpec,
  readOptions,
} from "../config/args.ts";
import { extractLoraFlags, LORA_HELP, type LoraFlag } from "../config/lora_flags.ts";
import { checkDraftFlags, type DraftFlags, draftOptionRows } from "../config/draft_flags.ts";

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
  /** `HEARTH_RPC`: llama.cpp RPC workers; `--rpc` wins over it. */
  rpc?: LoadModelOptions["rpc"];
}

/** `serve`'s options after validation. */
export interface ServeOptions extends DraftFlags {
  /** The GGUF file. */
  model: string;
  /**
   * The id clients name the model by (`GET /v1/models`): the first of `aliases`, else
   * the file name without `.gguf`.
   */
  alias: string;
  /**
   * `--alias`'s names, sorted and without duplicates: llama-server keeps them in a
   * `std::set` (common/arg.cpp `-a`), so its id is the alphabetically first, and
   * requests may name any of them. Default none.
   */
  aliases: string[];
  /** Slots (`-np`); integer in [1, 256], at most `nBatch`. Default 4 (llama-server's "auto"). */
  parallel: number;
  /**
   * One KV pool every slot may fill (`-kvu`). Default: false, but true when `-np` is
   * auto (not given, or negative), whatever `-kvu`/`-no-kvu` say, as
   * tools/server/server.cpp sets it after parsing.
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
  /**
   * Physical batch (`-ub`), at most `nBatch`: a larger `-ub` is lowered to it, as
   * llama_context does (src/llama-context.cpp). Default 512.
   */
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
  /** llama.cpp RPC workers, "HOST:PORT[,HOST:PORT...]" (`--rpc`). Default none. */
  rpc?: LoadModelOptions["rpc"];
  /** The mmproj GGUF that lets the model take images (`--mmproj`). Default none. */
  mmproj: string | undefined;
  /** Fetch http(s) `image_url`s requests name (`--allow-image-urls`). Default false. */
  allowImageUrls: boolean;
}

const INT32_MAX = 2 ** 31 - 1;
const SERVE: readonly Command[] = ["serve"];
const between = (min: number, max: number) => ({
  ok: (v: number) => v >= min && v <= max,
  expect: `an integer in [${min}, ${max}]`,
});

/** common/arg.cpp's is_truthy / is_falsey / is_autoy. */
function flashAttn(text: string): boolean | "auto" | undefined {
  if (text === "auto" || text === "-1") return "auto";
  if (["on", "enabled", "true", "1"].includes(text)) return true;
  if (["off", "disabled", "false", "0"].includes(text)) return false;
  return undefined;
}

/** `-ngl N|auto|all`: llama.cpp's -1 is auto, <= -2 all; both offload every layer here. */
function gpuLayers(text: string): number | undefined {
  if (text === "auto" || text === "all") return -1;
  const value = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || value > INT32_MAX) return undefined;
  return value < 0 ? -1 : value;
}

/** A row of serve's table (config/args.ts `optionRow`). */
const row = optionRow(SERVE);

/**
 * `serve`'s options, in `--help` order, with llama-server's flags (common/arg.cpp);
 * {@link parseServeArgs} reads them and {@link SERVE_HELP} lists them.
 */
export const SERVE_OPTIONS: readonly OptionSpec[] = Object.freeze([
  row("model", "-m, --model", "string FILE", undefined, "GGUF model to serve (required)"),
  row(
    "nCtx",
    "-c, --ctx-size",
    "int N",
    undefined,
    "KV cache tokens in all, shared by the slots: each gets N/np (padded to 256), or all N " +
      "with --kv-unified; 0 = the model's training context. Unlike llama-server, a slot is " +
      "not capped at the training context",
    {
      check: between(0, INT32_MAX),
      defaultText: "the training context, lowered to what fits in free memory, not below 4096",
    },
  ),
  // llama-server: -np unset (or -1) is "auto", 4 slots sharing one unified pool.
  row(
    "parallel",
    "-np, --parallel",
    "int N",
    -1,
    "slots: requests decoded together by continuous batching, 1-256 and at most -b; more " +
      "requests wait; negative = auto",
    {
      // llama-server refuses only 0 and takes any negative as auto (server.cpp).
      check: {
        ok: (v) => v < 0 || (v >= 1 && v <= 256),
        expect: "an integer in [1, 256], or negative for auto",
      },
      defaultText: "auto: 4 with --kv-unified",
    },
  ),
  row(
    "kvUnified",
    "-kvu, --kv-unified",
    "boolean",
    undefined,
    "one KV pool every slot may fill; idle slots give back their cached prompts when " +
      "active ones need the room (default: off, but auto -np turns it on whatever " +
      "-kvu/-no-kvu say, as llama-server)",
  ),
  row("noKvUnified", "-no-kvu, --no-kv-unified", "boolean", false, "N/np tokens per slot"),
  row("nBatch", "-b, --batch-size", "int N", 2048, "logical batch: most tokens per decode", {
    check: between(1, INT32_MAX),
  }),
  row(
    "nUbatch",
    "-ub, --ubatch-size",
    "int N",
    undefined,
    "physical batch: most tokens per compute step; above -b it is lowered to -b",
    { check: between(1, INT32_MAX), defaultText: "512" },
  ),
  row("flashAttn", "-fa, --flash-attn", "string on|off|auto", "auto", "flash attention", {
    read: { parse: flashAttn, expect: "on, off or auto" },
  }),
  row("typeK", "-ctk, --cache-type-k", "string TYPE", "f16", "K cache type", {
    choices: Object.keys(KV_CACHE_TYPES),
  }),
  row(
    "typeV",
    "-ctv, --cache-type-v",
    "string TYPE",
    "f16",
    "V cache type; quantized V needs flash attention",
    { choices: Object.keys(KV_CACHE_TYPES) },
  ),
  row(
    "nGpuLayers",
    "-ngl, --gpu-layers, --n-gpu-layers",
    "string N|auto|all",
    -1,
    "layers on the GPU; unlike llama-server, auto offloads all layers rather than fitting " +
      "them to memory",
    { read: { parse: gpuLayers, expect: "an integer, auto or all" }, defaultText: "auto" },
  ),
  // The range of config.ts's -t for chat and generate, and of ContextOptions.nThreads.
  row("nThreads", "-t, --threads", "int N", undefined, "CPU threads, 1-512", {
    check: between(1, 512),
    defaultText: "logical CPUs; llama-server's default is physical cores",
  }),
  row(
    "alias",
    "-a, --alias",
    "string NAMES",
    undefined,
    "model ids, comma-separated: requests must name one (llama-server takes any name); " +
      "/v1/models lists the alphabetically first as id, as llama-server",
    { defaultText: "the file name without .gguf (llama-server: the path as given)" },
  ),
  row(
    "jinja",
    "--jinja",
    "boolean",
    false,
    "use the model's Jinja chat template (always on; --no-jinja is refused: Hearth has no " +
      "other template engine)",
  ),
  row("noJinja", "--no-jinja", "boolean", false, "refused (see --jinja)"),
  row(
    "chatTemplateFile",
    "--chat-template-file",
    "string FILE",
    undefined,
    "Jinja chat template to use instead of the model's own",
  ),
  row("mmproj", "--mmproj", "string FILE", undefined, "mmproj GGUF: the model takes images"),
  row(
    "allowImageUrls",
    "--allow-image-urls",
    "boolean",
    false,
    "fetch http(s) image_url parts (else only data: URLs)",
  ),
  row(
    "host",
    "--host",
    "string HOST",
    "127.0.0.1",
    "address to bind; other than loopback needs an API key",
  ),
  row("port", "--port", "int PORT", 8080, "port to bind; 0 = any free port", {
    check: between(0, 65535),
  }),
  row("apiKey", "--api-key", "string KEY", undefined, "require 'Authorization: Bearer KEY'", {
    defaultText: "$HEARTH_API_KEY",
  }),
  row(
    "cors",
    "--cors",
    "string ORIGIN",
    undefined,
    "allow browser calls from ORIGIN (repeat or comma-separate)",
    { multiple: true },
  ),
  ...draftOptionRows(SERVE),
  row("rpc", "--rpc", "string SERVERS", undefined, "llama.cpp RPC workers HOST:PORT[,...]", {
    defaultText: "$HEARTH_RPC, else none (docs/rpc.md)",
  }),
  row("help", "-h, --help", "boolean", false, "show this help"),
]);

/** `serve --help`, from {@link SERVE_OPTIONS}. */
export const SERVE_HELP = `Usage: hearth serve -m MODEL [options]

Serves MODEL over an OpenAI-compatible API (/v1/chat/completions, /v1/completions,
/v1/embeddings, /v1/models, /health, /metrics, /lora-adapters) until Ctrl+C. Flags mean what they mean
to llama-server, so its command line keeps its meaning and its memory.

${formatOptions(SERVE_OPTIONS)}
${LORA_HELP}
                              (ids 0, 1, ... at /lora-adapters; requests pick with "lora")

It refuses to start when the weights, KV cache and compute buffers do not fit in free
memory, and prints what each needs.
`;

/**
 * Parses and checks `serve`'s arguments; undefined for `--help`.
 *
 * @throws {TypeError} for an unknown flag or a missing model.
 * @throws {RangeError} for an out-of-range value, `--no-jinja`, more slots than `-b`, or a
 *   non-loopback host without an API key.
 */
export function parseServeArgs(
  args: readonly string[],
  env: ServeEnv = {},
): ServeOptions | undefined {
  const { loras, rest } = extractLoraFlags(args);
  const read = readOptions(SERVE_OPTIONS, rest, { helpHint: "hearth serve --help" });
  if (read.help) return undefined;
  const values = read.values as unknown as {
    model?: string;
    nCtx?: number;
    parallel: number;
    kvUnified?: boolean;
    noKvUnified: boolean;
    nBatch: number;
    nUbatch?: number;
    flashAttn: boolean | "auto";
    typeK: KvCacheType;
    typeV: KvCacheType;
    nGpuLayers: number;
    nThreads?: number;
    alias?: string;
    noJinja: boolean;
    chatTemplateFile?: string;
    mmproj?: string;
    allowImageUrls: boolean;
    host: string;
    port: number;
    apiKey?: string;
    cors?: string[];
    rpc?: string;
  } & DraftFlags;
  const rpc = values.rpc ?? (env.rpc?.length ? env.rpc : undefined);
  if (rpc !== undefined) parseRpcServers(rpc);
  if (values.model === undefined) {
    throw new TypeError("Cannot serve: no model given; pass -m MODEL.gguf");
  }
  if (values.noJinja) {
    throw new RangeError(
      "Cannot serve with --no-jinja: Hearth renders every chat template with Jinja; drop the flag",
    );
  }
  const { host } = values;
  const apiKey = values.apiKey ?? (env.apiKey || undefined);
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
  const { nBatch } = values;
  // tools/server/server.cpp: auto slots are 4 sharing one pool, whatever -kvu said.
  const auto = values.parallel < 0;
  const parallel = auto ? 4 : values.parallel;
  const kvUnified = auto || (!values.noKvUnified && values.kvUnified === true);
  if (parallel > nBatch) {
    // llama.cpp aborts on this (GGML_ASSERT n_outputs_max in llama-context.cpp), and
    // llama-server with it: each decode step holds a token of every slot.
    throw new RangeError(
      `Cannot serve ${parallel} slots with --batch-size ${nBatch}: each decode step holds ` +
        `one token of every slot; raise -b to at least ${parallel} or lower -np`,
    );
  }
  checkDraftFlags(values);
  // common/arg.cpp keeps the names in a std::set: sorted, deduplicated.
  const aliases = [...new Set((values.alias ?? "").split(",").map((a) => a.trim()))]
    .filter(Boolean).sort();
  return {
    model: values.model,
    alias: aliases[0] ?? basename(values.model).replace(/\.gguf$/i, ""),
    aliases,
    rpc,
    parallel,
    kvUnified,
    nCtx: values.nCtx,
    nBatch,
    nUbatch: Math.min(values.nUbatch ?? 512, nBatch),
    flashAttn: values.flashAttn,
    typeK: values.typeK,
    typeV: values.typeV,
    nGpuLayers: values.nGpuLayers,
    nThreads: values.nThreads,
    host,
    port: values.port,
    apiKey,
    cors,
    chatTemplateFile: values.chatTemplateFile,
    loras,
    modelDraft: values.modelDraft,
    draftMax: values.draftMax,
    draftMin: values.draftMin,
    draftPMin: values.draftPMin,
    nGpuLayersDraft: values.nGpuLayersDraft,
    mmproj: values.mmproj,
    allowImageUrls: values.allowImageUrls,
  };
}
