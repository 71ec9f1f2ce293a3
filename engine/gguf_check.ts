/**
 * Validates a GGUF file in TypeScript before llama.cpp sees it, because llama.cpp
 * can crash the whole process on malformed input instead of returning an error.
 *
 * @module
 */
import { gguf, type GGUFParseOutput } from "@huggingface/gguf";
import { GgufError, ModelNotFoundError } from "./errors.ts";
import { checkHyperparameters } from "./_gguf_hparams.ts";

/** Magic, version u32, tensor_count u64 and kv_count u64: the fixed GGUF header. */
const FIXED_HEADER_BYTES = 24;
/** "GGUF" as bytes; llama.cpp compares these four bytes, not a u32. */
const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46];
/** llama.cpp dropped version 1 and rejects anything newer than its GGUF_VERSION (3). */
const SUPPORTED_VERSIONS: readonly number[] = [2, 3];
/**
 * The largest real models carry a few thousand tensors (DeepSeek-V3 about 1,000; old
 * unmerged-expert MoE files tens of thousands), so a million means a corrupt count.
 * It sits below @huggingface/gguf's own 10,000,000 so our message wins.
 */
const MAX_TENSOR_COUNT = 1_000_000n;
/**
 * Real files carry tens of keys (stories260K has 19). Equal to @huggingface/gguf's
 * MAX_KV_COUNT, checked first so the caller gets a GgufError instead of its Error.
 */
const MAX_KV_COUNT = 100_000n;
/**
 * Smallest tensor info: name length u64 + n_dims u32 + type u32 + offset u64, with an
 * empty name and no dimensions. A count whose infos cannot fit in the file is corrupt.
 */
const MIN_TENSOR_INFO_BYTES = 24n;
/** Smallest KV pair: key length u64 + value type u32 + a 1-byte value, with an empty key. */
const MIN_KV_BYTES = 13n;
/** GGML_MAX_DIMS in ggml.h; llama.cpp rejects tensors with more. */
const GGML_MAX_DIMS = 4;
/** GGUF_DEFAULT_ALIGNMENT in gguf.h, used when `general.alignment` is absent. */
const DEFAULT_ALIGNMENT = 32;
/** Keys @huggingface/gguf adds to `metadata` from the fixed header; they are not KV pairs. */
const PARSER_HEADER_KEYS = new Set(["version", "tensor_count", "kv_count"]);

interface GgmlTypeTraits {
  name: string;
  /** Elements per block; a row's element count must be a multiple of it. */
  blockSize: number;
  /** Bytes per block. */
  typeSize: number;
}

/**
 * ggml's `type_traits` (ggml/src/ggml.c), keyed by `enum ggml_type` (ggml/include/ggml.h).
 * Type sizes are `sizeof(block_*)` from ggml/src/ggml-common.h, taken by compiling that
 * header (llama.cpp de3ff815). Removed types (4, 5, 31-33, 36-38) have size 0 there and
 * are left out, so files that use them are rejected as llama.cpp rejects them.
 * Rows: [ggml_type, name, block size in elements, type size in bytes per block].
 */
// deno-fmt-ignore
const GGML_TYPE_ROWS = [
  [0, "F32", 1, 4],         [1, "F16", 1, 2],         [2, "Q4_0", 32, 18],
  [3, "Q4_1", 32, 20],      [6, "Q5_0", 32, 22],      [7, "Q5_1", 32, 24],
  [8, "Q8_0", 32, 34],      [9, "Q8_1", 32, 36],      [10, "Q2_K", 256, 84],
  [11, "Q3_K", 256, 110],   [12, "Q4_K", 256, 144],   [13, "Q5_K", 256, 176],
  [14, "Q6_K", 256, 210],   [15, "Q8_K", 256, 292],   [16, "IQ2_XXS", 256, 66],
  [17, "IQ2_XS", 256, 74],  [18, "IQ3_XXS", 256, 98], [19, "IQ1_S", 256, 50],
  [20, "IQ4_NL", 32, 18],   [21, "IQ3_S", 256, 110],  [22, "IQ2_S", 256, 82],
  [23, "IQ4_XS", 256, 136], [24, "I8", 1, 1],         [25, "I16", 1, 2],
  [26, "I32", 1, 4],        [27, "I64", 1, 8],        [28, "F64", 1, 8],
  [29, "IQ1_M", 256, 56],   [30, "BF16", 1, 2],       [34, "TQ1_0", 256, 54],
  [35, "TQ2_0", 256, 66],   [39, "MXFP4", 32, 17],    [40, "NVFP4", 64, 36],
  [41, "Q1_0", 128, 18],    [42, "Q2_0", 64, 18],
] as const;

const GGML_TYPES: ReadonlyMap<number, GgmlTypeTraits> = new Map(
  GGML_TYPE_ROWS.map(([id, name, blockSize, typeSize]) => [id, { name, blockSize, typeSize }]),
);

/**
 * Bytes of `elements` values of ggml type `type` (an `enum ggml_type` number): ggml's
 * `ggml_row_size`, elements / block size × bytes per block.
 *
 * @example
 * ```ts
 * import { ggmlRowBytes } from "./gguf_check.ts";
 *
 * console.assert(ggmlRowBytes(1, 64) === 128); // F16
 * console.assert(ggmlRowBytes(8, 64) === 68); // Q8_0: 2 blocks of 34 bytes
 * ```
 *
 * @param type The `enum ggml_type` value, e.g. 1 for F16.
 * @param elements Values in the row; a multiple of the type's block size.
 * @returns The size in bytes.
 * @throws {RangeError} for a type ggml does not have (or removed), or an element count
 *   that is not a whole number of blocks.
 */
export function ggmlRowBytes(type: number, elements: number): number {
  const traits = GGML_TYPES.get(type);
  if (!traits) throw new RangeError(`Cannot size ggml type ${type}: ggml has no such type`);
  if (elements % traits.blockSize !== 0) {
    throw new RangeError(
      `Cannot size ${elements} ${traits.name} values: not a multiple of its block size ` +
        `${traits.blockSize}`,
    );
  }
  return elements / traits.blockSize * traits.typeSize;
}

/** One tensor of a GGUF file. */
export interface GgufTensor {
  /** The tensor's name, e.g. "blk.0.attn_q.weight". */
  name: string;
  /** Its data size in bytes. */
  bytes: number;
  /** Its element count: the parameters it holds. */
  elements: number;
  /** Its dimensions, ggml order (`ne[0]` first: elements per row). */
  shape: number[];
}

/** What {@linkcode checkGgufFile} learned about a GGUF file that passed every check. */
export interface GgufFileInfo {
  /** The path as given by the caller. */
  path: string;
  /** File size in bytes. */
  sizeBytes: number;
  /** GGUF format version: 2 or 3. */
  version: number;
  /** Number of tensors; 0 for vocab-only files. */
  tensorCount: number;
  /** Number of KV pairs in the header, arrays included. */
  kvCount: number;
  /**
   * Where tensor data starts, in bytes from the file start: the header end padded to
   * `general.alignment`. With 0 tensors it is the unpadded header end, as in llama.cpp,
   * because vocab-only files often stop there.
   */
  tensorDataOffset: number;
  /** Sum of every tensor's size in bytes, alignment padding excluded. */
  tensorDataBytes: number;
  /** Every tensor: its name, its size in bytes and its element count (parameters). */
  tensors: GgufTensor[];
  /** `general.architecture`, such as "llama". */
  architecture: string | undefined;
  /** `general.name`. */
  name: string | undefined;
  /** `tokenizer.chat_template`, a Jinja template. */
  chatTemplate: string | undefined;
  /** `<architecture>.context_length`: the context the model was trained for, in tokens. */
  contextLength: number | undefined;
  /**
   * Scalar metadata only (strings, numbers, bools); arrays are left out (tokenizer
   * vocabularies are huge). 64-bit integers become numbers when safe, else decimal strings.
   */
  metadata: Record<string, string | number | boolean>;
}

/**
 * Checks that a file is a GGUF model llama.cpp can read without crashing: magic,
 * version, sane counts, a complete header, known tensor types and shapes, aligned
 * offsets, and tensor data that lies inside the file. Reads only the header.
 *
 * @example
 * ```ts
 * import { checkGgufFile } from "@hearth/hearth";
 *
 * const info = await checkGgufFile("models/stories260K.gguf");
 * console.log(info.architecture, info.tensorCount, info.contextLength); // llama 48 2048
 * ```
 *
 * @param path Path of the GGUF file.
 * @returns The header's counts, offsets and scalar metadata.
 * @throws {ModelNotFoundError} If `path` does not exist.
 * @throws {GgufError} If `path` is not a regular file or fails any check; the message
 *   names the problem and, for a tensor, the tensor.
 * @throws {Deno.errors.PermissionDenied} If the file cannot be read.
 */
export async function checkGgufFile(path: string): Promise<GgufFileInfo> {
  const sizeBytes = await statRegularFile(path);
  const head = await readHead(path);
  const { version, tensorCount, kvCount } = checkFixedHeader(path, head, sizeBytes);

  let parsed: GGUFParseOutput;
  try {
    parsed = await gguf(path, { allowLocalFile: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new GgufError(path, `cannot parse the header: ${reason}`, { cause: error });
  }

  // The parser zero-fills reads past the end of the file instead of failing, so a
  // truncated header "parses"; only its end offset gives it away.
  const headerEnd = parsed.tensorInfoByteRange[1];
  if (headerEnd > sizeBytes) {
    throw new GgufError(
      path,
      `header is truncated: its KV pairs and tensor infos end at byte ${headerEnd} ` +
        `but the file is ${sizeBytes} bytes`,
    );
  }
  const metadata = parsed.metadata as Record<string, unknown>;
  const alignment = checkAlignment(path, metadata["general.alignment"]);
  const tensorDataOffset = tensorCount === 0 ? headerEnd : Number(parsed.tensorDataOffset);
  if (tensorDataOffset > sizeBytes) {
    throw new GgufError(
      path,
      `tensor data starts at byte ${tensorDataOffset}, ` +
        `past the end of the file (${sizeBytes} bytes)`,
    );
  }
  const tensors = checkTensors(path, parsed, tensorDataOffset, alignment, sizeBytes);
  const tensorDataBytes = tensors.reduce((sum, t) => sum + t.bytes, 0);

  const scalars = scalarMetadata(metadata);
  const text = (key: string) => typeof scalars[key] === "string" ? scalars[key] : undefined;
  const architecture = text("general.architecture");
  if (architecture !== undefined) checkHyperparameters(path, architecture, scalars);
  const contextLength = architecture && scalars[`${architecture}.context_length`];
  return {
    path,
    sizeBytes,
    version,
    tensorCount,
    kvCount,
    tensorDataOffset,
    tensorDataBytes,
    tensors,
    architecture,
    name: text("general.name"),
    chatTemplate: text("tokenizer.chat_template"),
    contextLength: typeof contextLength === "number" ? contextLength : undefined,
    metadata: scalars,
  };
}

async function statRegularFile(path: string): Promise<number> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new ModelNotFoundError(path, { cause: error });
    throw error;
  }
  if (stat.isDirectory) throw new GgufError(path, "path is a directory, not a file");
  // A FIFO or device would block the read or never end.
  if (!stat.isFile) throw new GgufError(path, "path is not a regular file");
  if (stat.size === 0) throw new GgufError(path, "file is empty");
  return stat.size;
}

async function readHead(path: string): Promise<Uint8Array> {
  using file = await Deno.open(path);
  const head = new Uint8Array(FIXED_HEADER_BYTES);
  let filled = 0;
  while (filled < head.length) {
    const n = await file.read(head.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return head.subarray(0, filled);
}

function checkFixedHeader(
  path: string,
  head: Uint8Array,
  sizeBytes: number,
): { version: number; tensorCount: number; kvCount: number } {
  const fail = (reason: string) => new GgufError(path, reason);
  if (head.length < FIXED_HEADER_BYTES) {
    throw fail(
      `file is ${head.length} bytes, too small for the ${FIXED_HEADER_BYTES}-byte GGUF header`,
    );
  }
  if (GGUF_MAGIC.some((byte, i) => head[i] !== byte)) {
    throw fail(
      `bad magic: expected "GGUF" (${hex(GGUF_MAGIC)}) but got "${hex(head.subarray(0, 4))}"`,
    );
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = view.getUint32(4, true);
  if (!SUPPORTED_VERSIONS.includes(version)) {
    // A big-endian file read little-endian puts the version in the high half.
    const hint = (version & 0xffff) === 0 ? " (the file looks big-endian)" : "";
    const supported = SUPPORTED_VERSIONS.join(" and ");
    throw fail(`unsupported version ${version}${hint}; llama.cpp reads versions ${supported}`);
  }
  const tensorCount = view.getBigUint64(8, true);
  const kvCount = view.getBigUint64(16, true);
  if (tensorCount > MAX_TENSOR_COUNT) {
    throw fail(`tensor count ${tensorCount} exceeds the limit of ${MAX_TENSOR_COUNT}`);
  }
  if (kvCount > MAX_KV_COUNT) {
    throw fail(`KV count ${kvCount} exceeds the limit of ${MAX_KV_COUNT}`);
  }
  const minHeaderBytes = BigInt(FIXED_HEADER_BYTES) + tensorCount * MIN_TENSOR_INFO_BYTES +
    kvCount * MIN_KV_BYTES;
  if (minHeaderBytes > BigInt(sizeBytes)) {
    throw fail(
      `header is truncated or its counts are corrupt: ${tensorCount} tensor infos and ` +
        `${kvCount} KV pairs need at least ${minHeaderBytes} bytes ` +
        `but the file is ${sizeBytes} bytes`,
    );
  }
  return { version, tensorCount: Number(tensorCount), kvCount: Number(kvCount) };
}

function checkAlignment(path: string, raw: unknown): number {
  if (raw === undefined) return DEFAULT_ALIGNMENT;
  const alignment = typeof raw === "bigint" ? Number(raw) : raw;
  // llama.cpp rounds offsets with a bit mask, which is only right for powers of two.
  if (
    typeof alignment !== "number" || !Number.isSafeInteger(alignment) || alignment <= 0 ||
    (alignment & (alignment - 1)) !== 0
  ) {
    throw new GgufError(path, `general.alignment "${raw}" is not a power of two`);
  }
  return alignment;
}

/** Checks each tensor's type, shape, alignment and extent; returns their sizes. */
function checkTensors(
  path: string,
  parsed: GGUFParseOutput,
  dataOffset: number,
  alignment: number,
  sizeBytes: number,
): GgufTensor[] {
  const tensors: GgufTensor[] = [];
  const fail = (name: string, reason: string) => new GgufError(path, `tensor "${name}" ${reason}`);
  for (const { name, n_dims: nDims, shape, dtype, offset } of parsed.tensorInfos) {
    const type = GGML_TYPES.get(dtype);
    if (type === undefined) throw fail(name, `has unknown ggml type ${dtype}`);
    if (nDims < 1 || nDims > GGML_MAX_DIMS || shape.length !== nDims) {
      throw fail(name, `has ${nDims} dimensions; ggml supports 1 to ${GGML_MAX_DIMS}`);
    }
    const zeroDim = shape.findIndex((dim) => dim <= 0n);
    if (zeroDim !== -1) {
      const dim = shape[zeroDim];
      throw fail(name, `dimension ${zeroDim} is ${dim}; every dimension must be at least 1`);
    }
    const blockSize = BigInt(type.blockSize);
    if (shape[0] % blockSize !== 0n) {
      throw fail(
        name,
        `of type ${type.name} has ${shape[0]} elements per row, ` +
          `not a multiple of its block size ${blockSize}`,
      );
    }
    if (offset % BigInt(alignment) !== 0n) {
      throw fail(name, `offset ${offset} is not a multiple of general.alignment ${alignment}`);
    }
    const elements = shape.reduce((product, dim) => product * dim, 1n);
    const nbytes = elements / blockSize * BigInt(type.typeSize);
    const start = BigInt(dataOffset) + offset;
    if (start + nbytes > BigInt(sizeBytes)) {
      throw fail(
        name,
        `ends past the end of the file: its ${nbytes} bytes span bytes ` +
          `${start} to ${start + nbytes} but the file is ${sizeBytes} bytes`,
      );
    }
    tensors.push({
      name,
      bytes: Number(nbytes),
      elements: Number(elements),
      shape: shape.map(Number),
    });
  }
  return tensors;
}

function scalarMetadata(
  metadata: Record<string, unknown>,
): Record<string, string | number | boolean> {
  const scalars: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (PARSER_HEADER_KEYS.has(key)) continue;
    if (typeof value === "bigint") {
      const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) &&
        value <= BigInt(Number.MAX_SAFE_INTEGER);
      scalars[key] = safe ? Number(value) : value.toString();
    } else if (
      typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ) {
      scalars[key] = value;
    }
  }
  return scalars;
}

function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}
