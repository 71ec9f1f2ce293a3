import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import { STORIES_260K, SYNTHETIC_135M, VOCAB_GPT2, VOCAB_PHI3 } from "../tests/models.ts";
import { GgufError, ModelNotFoundError } from "./errors.ts";
import { checkGgufFile } from "./gguf_check.ts";
import { rewriteKv } from "../tests/crafted_models.ts";

/**
 * Block size and bytes per block of the types the synthetic model uses, restated from
 * ggml-common.h (`block_q4_K` etc.) so the test does not trust the table it checks.
 */
const SYNTHETIC_TYPES: Record<number, [blockSize: bigint, typeSize: bigint]> = {
  0: [1n, 4n], // F32
  6: [32n, 22n], // Q5_0
  8: [32n, 34n], // Q8_0
  12: [256n, 144n], // Q4_K
  14: [256n, 210n], // Q6_K
};

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hearth_gguf_check_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes `bytes` to a temp file and checks that it is rejected with `fragment` in the message. */
async function assertRejected(bytes: Uint8Array, fragment: string): Promise<Error> {
  let error: unknown;
  await withTempDir(async (dir) => {
    const path = join(dir, "model.gguf");
    await Deno.writeFile(path, bytes);
    error = await checkGgufFile(path).then(() => undefined, (e: unknown) => e);
  });
  return assertError(error, GgufError, fragment);
}

function assertError(
  error: unknown,
  ErrorClass: new (...args: never[]) => Error,
  fragment: string,
): Error {
  ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${error}`);
  ok(error.message.includes(fragment), `message "${error.message}" lacks "${fragment}"`);
  return error;
}

/** A copy of the stories260K bytes with `patch` applied through a little-endian DataView. */
async function patchedStories(patch: (view: DataView, headerEnd: number) => void) {
  const bytes = await Deno.readFile(STORIES_260K);
  const { tensorInfoByteRange } = await gguf(STORIES_260K, { allowLocalFile: true });
  patch(new DataView(bytes.buffer), tensorInfoByteRange[1]);
  return bytes;
}

// The last tensor info of stories260K is blk.4.ffn_norm.weight, F32, one dimension of 64:
// its 1-dim shape u64, type u32 and offset u64 are the header's last 20 bytes.
const LAST_DIM = -20;
const LAST_TYPE = -12;
const LAST_OFFSET = -8;

/** Deterministic bytes, so a failure reproduces. */
function noise(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

Deno.test("checkGgufFile() reads the stories260K header", async () => {
  const info = await checkGgufFile(STORIES_260K);
  equal(info.version, 3);
  equal(info.tensorCount, 48);
  equal(info.kvCount, 19);
  equal(info.architecture, "llama");
  equal(info.contextLength, 2048);
  equal(info.chatTemplate, undefined);
  equal(info.tensorDataOffset % 32, 0);
  // All F32, so no padding between tensors: the data fills the file exactly.
  equal(info.tensorDataOffset + info.tensorDataBytes, info.sizeBytes);
  equal(info.metadata["llama.block_count"], 5);
  equal(info.metadata["tokenizer.ggml.seperator_token_id"], 4294967295);
  equal("tokenizer.ggml.tokens" in info.metadata, false);
  equal("tensor_count" in info.metadata, false);
  // 19 KV pairs less the three tokenizer arrays.
  equal(Object.keys(info.metadata).length, 16);
});

Deno.test("checkGgufFile() sizes the synthetic model's Q4_K tensors to the byte", async () => {
  const info = await checkGgufFile(SYNTHETIC_135M);
  equal(info.tensorCount, 272);
  equal(info.architecture, "llama");
  const { tensorInfos } = await gguf(SYNTHETIC_135M, { allowLocalFile: true });
  const tensors = tensorInfos.toSorted((a, b) => Number(a.offset - b.offset));
  ok(tensors.some((t) => t.dtype === 12), "expected Q4_K tensors");
  let total = 0n;
  let end = 0n;
  tensors.forEach((t, i) => {
    const [blockSize, typeSize] = SYNTHETIC_TYPES[t.dtype];
    const nbytes = t.shape.reduce((a, b) => a * b, 1n) / blockSize * typeSize;
    const next = tensors[i + 1]?.offset;
    // Tensors are packed back to back, each padded to 32 bytes, as llama.cpp requires.
    if (next !== undefined) equal(next - t.offset, (nbytes + 31n) / 32n * 32n, t.name);
    total += nbytes;
    end = BigInt(info.tensorDataOffset) + t.offset + nbytes;
  });
  equal(info.tensorDataBytes, Number(total));
  equal(Number(end), info.sizeBytes);
});

Deno.test("checkGgufFile() reads vocab-only files with no tensors", async () => {
  const phi3 = await checkGgufFile(VOCAB_PHI3);
  deepStrictEqual([phi3.tensorCount, phi3.kvCount, phi3.tensorDataBytes], [0, 26, 0]);
  equal(phi3.architecture, "phi3");
  ok(phi3.chatTemplate?.includes("{% for message in messages %}"));
  // The file stops at the end of its header, without padding.
  equal(phi3.tensorDataOffset, phi3.sizeBytes);
  const gpt2 = await checkGgufFile(VOCAB_GPT2);
  deepStrictEqual([gpt2.tensorCount, gpt2.kvCount, gpt2.contextLength], [0, 16, 1024]);
  equal(gpt2.chatTemplate, undefined);
});

Deno.test("checkGgufFile() rejects a missing path", async () => {
  const error = await checkGgufFile("/nonexistent/model.gguf").catch((e: unknown) => e);
  assertError(error, ModelNotFoundError, "no such file");
});

Deno.test("checkGgufFile() rejects a directory", async () => {
  await withTempDir(async (dir) => {
    const error = await checkGgufFile(dir).catch((e: unknown) => e);
    assertError(error, GgufError, "is a directory");
  });
});

Deno.test("checkGgufFile() rejects an empty file", async () => {
  await assertRejected(new Uint8Array(), "file is empty");
});

Deno.test("checkGgufFile() rejects a file too small for the header", async () => {
  await assertRejected(noise(16), "file is 16 bytes, too small for the 24-byte GGUF header");
});

Deno.test("checkGgufFile() rejects bad magic with the bytes it found", async () => {
  const bytes = noise(4096);
  const actual = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0"));
  await assertRejected(bytes, `expected "GGUF" (47 47 55 46) but got "${actual.join(" ")}"`);
});

Deno.test("checkGgufFile() rejects a model cut at 100 bytes", async () => {
  const bytes = (await Deno.readFile(STORIES_260K)).subarray(0, 100);
  await assertRejected(bytes, "need at least 1423 bytes but the file is 100 bytes");
});

Deno.test("checkGgufFile() rejects a truncated header", async () => {
  const bytes = (await Deno.readFile(STORIES_260K)).subarray(0, 10_000);
  await assertRejected(bytes, "header is truncated");
});

Deno.test("checkGgufFile() rejects truncated tensor data", async () => {
  const bytes = await Deno.readFile(STORIES_260K);
  await assertRejected(
    bytes.subarray(0, bytes.length - 1000),
    `tensor "blk.4.ffn_up.weight" ends past the end of the file`,
  );
});

Deno.test("checkGgufFile() rejects an unsupported version", async () => {
  const bytes = await patchedStories((view) => view.setUint32(4, 99, true));
  await assertRejected(bytes, "unsupported version 99; llama.cpp reads versions 2 and 3");
});

Deno.test("checkGgufFile() rejects an absurd tensor count", async () => {
  const bytes = await patchedStories((view) => view.setBigUint64(8, 2n ** 40n, true));
  await assertRejected(bytes, "tensor count 1099511627776 exceeds the limit");
});

Deno.test("checkGgufFile() rejects an absurd KV count", async () => {
  const bytes = await patchedStories((view) => view.setBigUint64(16, 2n ** 40n, true));
  await assertRejected(bytes, "KV count 1099511627776 exceeds the limit");
});

Deno.test("checkGgufFile() rejects a tensor count whose infos cannot fit in the file", async () => {
  const bytes = await patchedStories((view) => view.setBigUint64(8, 100_000n, true));
  await assertRejected(bytes, "100000 tensor infos and 19 KV pairs need at least");
});

Deno.test("checkGgufFile() wraps a parser error and keeps its cause", async () => {
  // The first key, "tokenizer.ggml.model", is 20 bytes: its value type follows at 24 + 8 + 20.
  const bytes = await patchedStories((view) => view.setUint32(52, 99, true));
  const error = await assertRejected(bytes, "cannot parse the header");
  ok(error.cause instanceof Error);
});

Deno.test("checkGgufFile() rejects a tensor offset past the end of the file", async () => {
  const bytes = await patchedStories((view, end) => {
    view.setBigUint64(end + LAST_OFFSET, BigInt(view.byteLength + 32) / 32n * 32n, true);
  });
  await assertRejected(bytes, `tensor "blk.4.ffn_norm.weight" ends past the end of the file`);
});

Deno.test("checkGgufFile() rejects a misaligned tensor offset", async () => {
  const bytes = await patchedStories((view, end) => {
    view.setBigUint64(end + LAST_OFFSET, view.getBigUint64(end + LAST_OFFSET, true) + 4n, true);
  });
  await assertRejected(bytes, "is not a multiple of general.alignment 32");
});

Deno.test("checkGgufFile() rejects an unknown ggml type", async () => {
  const bytes = await patchedStories((view, end) => view.setUint32(end + LAST_TYPE, 99, true));
  await assertRejected(bytes, `tensor "blk.4.ffn_norm.weight" has unknown ggml type 99`);
});

Deno.test("checkGgufFile() rejects a row that is not a whole number of blocks", async () => {
  const bytes = await patchedStories((view, end) => view.setUint32(end + LAST_TYPE, 12, true));
  await assertRejected(
    bytes,
    "type Q4_K has 64 elements per row, not a multiple of its block size 256",
  );
});

Deno.test("checkGgufFile() rejects a zero dimension", async () => {
  const bytes = await patchedStories((view, end) => view.setBigUint64(end + LAST_DIM, 0n, true));
  await assertRejected(bytes, "dimension 0 is 0; every dimension must be at least 1");
});

Deno.test("checkGgufFile() rejects hyperparameters llama.cpp aborts on", async () => {
  await withTempDir(async (dir) => {
    const source = join(dir, "source.gguf");
    await Deno.copyFile(STORIES_260K, source);
    const eps = "llama.attention.layer_norm_rms_epsilon";
    // Each of these passed the checks before and aborted the process in llama.cpp.
    const cases: [string, number, string][] = [
      ["llama.block_count", 0, "llama.block_count is 0; llama.cpp needs 1 to 512 layers"],
      ["llama.block_count", 513, "llama.block_count is 513; llama.cpp needs 1 to 512 layers"],
      [eps, NaN, `${eps} is NaN; a norm epsilon must be a finite number above 0`],
      [eps, -1, `${eps} is -1; a norm epsilon must be a finite number above 0`],
      [eps, Infinity, `${eps} is Infinity`],
      ["llama.attention.head_count", 0, "at least one attention head"],
      ["llama.attention.head_count_kv", 3, "head_count is 8; not a multiple of"],
      ["llama.context_length", 0, "llama.context_length is 0"],
    ];
    for (const [key, value, fragment] of cases) {
      const path = await rewriteKv(source, join(dir, "crafted.gguf"), key, value);
      const error = await checkGgufFile(path).then(() => null, (e) => e);
      ok(error instanceof GgufError, `${key} = ${value}: ${error}`);
      ok(error.message.includes(fragment), error.message);
    }
  });
});
