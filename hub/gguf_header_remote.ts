/**
 * A hub file's GGUF header through HTTP range reads, so metadata shows before download.
 * @huggingface/gguf does the parsing, with its named safety limits (CWE-770 and
 * friends); it fetches 2 MB chunks until the header is read, so a model costs a few MB
 * of traffic, not its size.
 *
 * @module
 */
import { gguf } from "@huggingface/gguf";
import { HubError } from "./errors.ts";
import type { HubOptions } from "./options.ts";
import { DEFAULT_ENDPOINT } from "./options.ts";
import { anySignal, hubFetch } from "./_http.ts";
import { checkRepoId, checkRepoPath, resolveUrl } from "./_repo.ts";

/** Options of {@link ggufHeaderRemote}. */
export interface GgufHeaderRemoteOptions {
  /** Branch, tag or commit. @default "main" */
  revision?: string;
  /** Aborts this call; it rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** A GGUF metadata value: integers above 2^53 (uint64/int64) are bigints; arrays may nest. */
export type GgufValue = string | number | bigint | boolean | GgufValue[];

/** One tensor as the header describes it. */
export interface GgufTensorInfo {
  /** Tensor name, e.g. "blk.0.attn_q.weight". */
  name: string;
  /** Elements per dimension, innermost first (ggml order). */
  shape: bigint[];
  /** The `ggml_type` number (0 = F32, 1 = F16, 12 = Q4_K, ...). */
  type: number;
  /** Byte offset from the start of the tensor data section. */
  offset: bigint;
}

/** What the header says, with the fields the UI shows pulled out. */
export interface RemoteGgufHeader {
  /** Every key-value pair, plus `version`, `tensor_count` and `kv_count`. */
  metadata: Record<string, GgufValue>;
  /** Name, shape, type and offset of each tensor. */
  tensorInfos: GgufTensorInfo[];
  /** Byte offset in the file where tensor data starts. */
  tensorDataOffset: bigint;
  /** `general.architecture`, e.g. "llama"; undefined if missing. */
  architecture: string | undefined;
  /** `{arch}.context_length`: the training context in tokens; undefined if missing. */
  contextLength: number | undefined;
  /** Weights, summed over tensor shapes (checked against the file size). */
  parameterCount: number;
}

/**
 * Reads the GGUF header of a file on the hub with range requests. For a split model,
 * pass the first part: it holds the metadata.
 *
 * @param repo Repository id, `org/name`.
 * @param file Path of the `.gguf` file in the repository.
 * @param params Revision and signal.
 * @param options Hub endpoint, token, fetch and signal.
 * @returns The header, or null when the repository, revision or file does not exist.
 * @throws {TypeError} `repo` or `file` is malformed.
 * @throws {SyntaxError} The file is not a readable GGUF (bad magic, version, counts).
 * @throws {HubError} Gated without access, or any other HTTP failure after retries.
 *
 * @example Context length before downloading
 * ```ts ignore
 * import { ggufHeaderRemote } from "./gguf_header_remote.ts";
 *
 * const header = await ggufHeaderRemote("ggml-org/models", "tinyllamas/stories260K.gguf", {}, {
 *   endpoint: "https://huggingface.co",
 * });
 * console.log(header?.architecture, header?.contextLength);
 * ```
 */
export async function ggufHeaderRemote(
  repo: string,
  file: string,
  params: GgufHeaderRemoteOptions = {},
  options: HubOptions = { endpoint: DEFAULT_ENDPOINT },
): Promise<RemoteGgufHeader | null> {
  checkRepoId(repo);
  checkRepoPath(file);
  const url = resolveUrl(options.endpoint, repo, params.revision ?? "main", file);
  const signal = anySignal(params.signal, options.signal);
  const context = { what: `read the GGUF header of "${repo}/${file}"`, repo };
  // hubFetch adds the token, retries and turns error statuses into HubError; without it
  // @huggingface/gguf would parse a 401 page as file bytes.
  const rangeFetch: typeof fetch = (input, init) =>
    hubFetch(String(input instanceof Request ? input.url : input), { ...init, signal }, {
      ...options,
      signal: undefined,
    }, context);
  try {
    const parsed = await gguf(url, { fetch: rangeFetch, computeParametersCount: true });
    const metadata = parsed.metadata as Record<string, GgufValue>;
    const architecture = asString(metadata["general.architecture"]);
    return {
      metadata,
      tensorInfos: parsed.tensorInfos.map((t) => ({
        name: t.name,
        shape: t.shape,
        type: t.dtype,
        offset: t.offset,
      })),
      tensorDataOffset: parsed.tensorDataOffset,
      architecture,
      contextLength: asNumber(metadata[`${architecture}.context_length`]),
      parameterCount: parsed.parameterCount,
    };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof HubError) {
      if (error.code === "not_found") return null;
      throw error;
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new SyntaxError(`Cannot read the GGUF header of "${repo}/${file}": ${reason}`, {
      cause: error,
    });
  }
}

function asString(value: GgufValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function asNumber(value: GgufValue | undefined): number | undefined {
  return typeof value === "number" || typeof value === "bigint" ? Number(value) : undefined;
}
