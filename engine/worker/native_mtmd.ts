/**
 * An mmproj loaded for a model (an `mtmd_context`), in the engine Worker: turns a
 * prompt with media markers and images into libmtmd chunks (`mtmd_tokenize`) and
 * evaluates image chunks into a context's KV cache (`mtmd_helper_eval_chunk_single`).
 * Owns one mtmd context, freed once by {@link NativeMtmd.free}, before its model.
 *
 * @module
 */
import { StructBuffer } from "../../ffi/layout.ts";
import { MTMD_INPUT_CHUNK_TYPE } from "../../ffi/mtmd_symbols.ts";
import type { MtmdLibrary } from "../../ffi/mtmd_library.ts";
import { mtmd_context_params, mtmd_input_text } from "../../ffi/structs.ts";
import { cString, readCString } from "../../ffi/strings.ts";
import { EngineError, ImageInputError, MmprojError } from "../errors.ts";
import { MEDIA_MARKER } from "../chat_template.ts";
import type { NativeContext } from "./native_context.ts";
import type { NativeModel } from "./native_model.ts";

/** What an mmproj can take. */
export interface MmprojInfo {
  /** The mmproj file. */
  path: string;
  /** It encodes images. */
  vision: boolean;
  /** It encodes audio (not offered by Hearth yet). */
  audio: boolean;
  /** The model places image tokens with M-RoPE (positions differ from token counts). */
  mrope: boolean;
}

/** An image chunk of a prompt: positions `[start, end)` of the sequence. */
export interface MediaSpan {
  start: number;
  end: number;
  /** Image tokens (KV cells) it fills; differs from `end - start` under M-RoPE. */
  nTokens: number;
  /** Its index among the prompt's chunks. */
  chunk: number;
}

/**
 * The live and freed mtmd contexts of this Worker, for the free-once tests
 * (`handleCounts`).
 */
export const mtmdCounts = { live: 0, freed: 0 };

/** Tokenized text with images: libmtmd's chunks and the positions they take. */
export class MtmdPrompt {
  /**
   * One entry per position: the token id for text, a negative key per image (the same
   * for all positions of one image, derived from its SHA-256), so the KV cache prefix
   * of a later prompt with the same image is reused whole.
   */
  readonly keys: Int32Array<ArrayBuffer>;
  /** The image chunks, in order. */
  readonly spans: readonly MediaSpan[];
  readonly #mtmd: NativeMtmd;
  #chunks: Deno.PointerObject | null;

  /** @internal Made by NativeMtmd.tokenize. */
  constructor(mtmd: NativeMtmd, chunks: Deno.PointerObject) {
    this.#mtmd = mtmd;
    this.#chunks = chunks;
    const lib = mtmd.lib.symbols;
    const keys: number[] = [];
    const spans: MediaSpan[] = [];
    const count = Number(lib.mtmd_input_chunks_size(chunks));
    const nOut = new BigUint64Array(1);
    for (let i = 0; i < count; i++) {
      const chunk = lib.mtmd_input_chunks_get(chunks, BigInt(i))!;
      if (lib.mtmd_input_chunk_get_type(chunk) === MTMD_INPUT_CHUNK_TYPE.text) {
        const tokens = lib.mtmd_input_chunk_get_tokens_text(chunk, nOut);
        const n = Number(nOut[0]);
        if (n > 0 && tokens !== null) {
          const view = new Deno.UnsafePointerView(tokens);
          const bytes = new Int32Array(view.getArrayBuffer(n * 4));
          for (let j = 0; j < n; j++) keys.push(bytes[j]);
        }
        continue;
      }
      const nPos = lib.mtmd_input_chunk_get_n_pos(chunk);
      const key = imageKey(readCString(lib.mtmd_input_chunk_get_id(chunk)));
      const start = keys.length;
      for (let j = 0; j < nPos; j++) keys.push(key);
      spans.push({
        start,
        end: keys.length,
        nTokens: Number(lib.mtmd_input_chunk_get_n_tokens(chunk)),
        chunk: i,
      });
    }
    this.keys = Int32Array.from(keys);
    this.spans = spans;
  }

  /** The number of chunks (text and image). */
  get chunkCount(): number {
    return Number(this.#mtmd.lib.symbols.mtmd_input_chunks_size(this.pointer));
  }

  /** The chunks handle. @throws {EngineError} after {@link free}. */
  get pointer(): Deno.PointerObject {
    if (this.#chunks === null) throw new EngineError("Cannot use freed mtmd chunks");
    return this.#chunks;
  }

  /**
   * Decodes image span `span` of sequence `seqId` into `ctx` at its positions
   * (`mtmd_helper_eval_chunk_single`: encode with the mmproj, then llama_decode of the
   * embeddings, non-causal where the model wants it). `logitsLast` keeps the logits of
   * its last position. Returns false when the context's abort flag stopped it (the
   * caller then drops the span's cells).
   *
   * @throws {EngineError} with libmtmd's reason when encoding or decoding fails.
   */
  evalSpan(ctx: NativeContext, span: MediaSpan, seqId: number, logitsLast = false): boolean {
    const lib = this.#mtmd.lib.symbols;
    const chunk = lib.mtmd_input_chunks_get(this.pointer, BigInt(span.chunk))!;
    const newNPast = new Int32Array(1);
    const log = ctx.model.libs.log;
    const mark = log.mark();
    const rc = lib.mtmd_helper_eval_chunk_single(
      this.#mtmd.pointer,
      ctx.pointer,
      chunk,
      span.start,
      seqId,
      ctx.info.nBatch,
      logitsLast,
      newNPast,
    );
    if (rc === 0) return true;
    // llama_decode's 2: the abort callback stopped it.
    if (rc === 2 && ctx.abortRequested()) return false;
    throw new EngineError(`Cannot evaluate the image (code ${rc}): ${log.reason(mark)}`);
  }

  /** Frees the chunks. Later calls do nothing. */
  free(): void {
    if (this.#chunks === null) return;
    this.#mtmd.lib.symbols.mtmd_input_chunks_free(this.#chunks);
    this.#chunks = null;
  }
}

/** An mtmd context for one model. */
export class NativeMtmd {
  readonly lib: MtmdLibrary;
  readonly info: MmprojInfo;
  #ctx: Deno.PointerObject | null;

  /**
   * Loads `path` for `model` with `nThreads` encoder threads.
   *
   * @throws {MmprojError} with libmtmd's reason when it refuses the file.
   */
  constructor(lib: MtmdLibrary, model: NativeModel, path: string, nThreads: number) {
    this.lib = lib;
    const s = lib.symbols;
    const params = new StructBuffer(
      mtmd_context_params,
      new Uint8Array(s.mtmd_context_params_default() as Uint8Array<ArrayBuffer>),
    );
    params
      .set("use_gpu", model.info.nGpuLayers !== 0)
      .set("print_timings", false)
      .set("n_threads", nThreads)
      // The warmup encode costs a second on real models and tells us nothing.
      .set("warmup", false);
    const log = model.libs.log;
    const mark = log.mark();
    const ctx = s.mtmd_init_from_file(cString(path), model.pointer, params.bytes);
    if (ctx === null) throw new MmprojError(path, log.reason(mark));
    this.#ctx = ctx;
    mtmdCounts.live++;
    this.info = {
      path,
      vision: s.mtmd_support_vision(ctx),
      audio: s.mtmd_support_audio(ctx),
      mrope: s.mtmd_decode_use_mrope(ctx),
    };
  }

  /** The mtmd context. @throws {EngineError} after {@link free}. */
  get pointer(): Deno.PointerObject {
    if (this.#ctx === null) throw new EngineError("Cannot use a freed mmproj");
    return this.#ctx;
  }

  /**
   * Tokenizes `text`, in which each {@link MEDIA_MARKER} stands for the next of
   * `images` (encoded image file bytes). The caller frees the result.
   *
   * @throws {ImageInputError} for bytes that are not an image libmtmd decodes, or when
   *   markers and images differ in number.
   */
  tokenize(text: string, images: readonly Uint8Array[], addSpecial: boolean): MtmdPrompt {
    const s = this.lib.symbols;
    const log = this.lib.log;
    const bitmaps: Deno.PointerObject[] = [];
    try {
      const opt = new Uint8Array(s.mtmd_helper_init_opt_default() as Uint8Array<ArrayBuffer>);
      images.forEach((image, i) => {
        const mark = log.mark();
        const wrapper = new BigUint64Array(
          (s.mtmd_helper_bitmap_init_from_buf(
            this.pointer,
            image,
            BigInt(image.byteLength),
            false,
            opt,
          ) as Uint8Array<ArrayBuffer>).buffer,
        );
        const bitmap = Deno.UnsafePointer.create(wrapper[0]);
        const video = Deno.UnsafePointer.create(wrapper[1]);
        if (video !== null) {
          // Only a video decoder would set it; this build has none, but never leak one.
          if (bitmap !== null) s.mtmd_bitmap_free(bitmap);
          throw new ImageInputError(`image ${i + 1} is a video; send a PNG or JPEG image`);
        }
        if (bitmap === null) {
          const what = isWebp(image)
            ? "it is WebP, which this libmtmd cannot decode (it needs ffmpeg); convert it to PNG or JPEG"
            : `it is not a PNG, JPEG, BMP or GIF image libmtmd can decode (${log.reason(mark)})`;
          throw new ImageInputError(`image ${i + 1} of ${images.length}: ${what}`);
        }
        bitmaps.push(bitmap);
      });
      const textBytes = cString(text);
      const input = new StructBuffer(mtmd_input_text)
        .set("text", Deno.UnsafePointer.of(textBytes))
        .set("text_len", textBytes.length - 1)
        .set("add_special", addSpecial)
        .set("parse_special", true);
      const pointers = new BigUint64Array(bitmaps.map((b) => BigInt(Deno.UnsafePointer.value(b))));
      const chunks = s.mtmd_input_chunks_init()!;
      const mark = log.mark();
      const rc = s.mtmd_tokenize(
        this.pointer,
        chunks,
        input.bytes,
        pointers.length ? pointers : new BigUint64Array(1),
        BigInt(bitmaps.length),
      );
      if (rc !== 0) {
        s.mtmd_input_chunks_free(chunks);
        throw new ImageInputError(
          rc === 1
            ? `the prompt has ${countMarkers(text)} media markers but ${images.length} images`
            : `libmtmd could not preprocess it: ${log.reason(mark)}`,
        );
      }
      return new MtmdPrompt(this, chunks);
    } finally {
      // The chunks hold their own copies of the preprocessed images.
      for (const bitmap of bitmaps) s.mtmd_bitmap_free(bitmap);
    }
  }

  /** Frees the mtmd context; the caller frees it before its model. Later calls do nothing. */
  free(): void {
    if (this.#ctx === null) return;
    this.lib.symbols.mtmd_free(this.#ctx);
    this.#ctx = null;
    mtmdCounts.live--;
    mtmdCounts.freed++;
  }
}

function countMarkers(text: string): number {
  return text.split(MEDIA_MARKER).length - 1;
}

function isWebp(bytes: Uint8Array): boolean {
  const tag = (from: number) => String.fromCharCode(...bytes.subarray(from, from + 4));
  return bytes.length >= 12 && tag(0) === "RIFF" && tag(8) === "WEBP";
}

/** The image span of `media` that holds position `at`, or the next one after it. */
export function imageAt(media: MtmdPrompt | undefined, at: number): MediaSpan | undefined {
  return media?.spans.find((span) => at < span.end);
}

/**
 * A cached prefix length that does not end inside an image: an image's cells are
 * reused whole or not at all.
 */
export function keepWholeImages(media: MtmdPrompt | undefined, common: number): number {
  const span = imageAt(media, common);
  return span && span.start < common ? span.start : common;
}

let anonymousImages = 0;

/**
 * A negative int32 for an image: from the first 28 bits of its id (the SHA-256 hex that
 * the helper gives each bitmap); an image without an id gets a key of its own, below
 * those, so no later prompt reuses its cache cells.
 */
function imageKey(id: string): number {
  if (/^[0-9a-f]{7}/i.test(id)) return -1 - parseInt(id.slice(0, 7), 16);
  anonymousImages = (anonymousImages + 1) % 0x7000_0000;
  return -0x1000_0001 - anonymousImages;
}
