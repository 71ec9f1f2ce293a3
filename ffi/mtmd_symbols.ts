/**
 * libmtmd's C API (llama.cpp's tools/mtmd: images for vision models with an mmproj) as
 * a Deno FFI symbol table, spelled as in the pinned mtmd.h and mtmd-helper.h. The
 * prebuilt packages have no libmtmd; `native/build.sh mtmd` builds it next to their
 * libllama (ffi/mtmd_library.ts opens it).
 *
 * Every call is blocking and runs in the engine Worker only. Pointer-returning symbols
 * say who owns the result and what frees it.
 *
 * @module
 */
import {
  mtmd_context_params,
  mtmd_helper_bitmap_wrapper,
  mtmd_helper_init_opt,
} from "./structs.ts";

const p = "pointer" as const;
const buf = "buffer" as const;

/** `enum mtmd_input_chunk_type` (mtmd.h). */
export const MTMD_INPUT_CHUNK_TYPE = { text: 0, image: 1, audio: 2 } as const;

/** The libmtmd symbols Hearth uses. */
export const MTMD_SYMBOLS = {
  mtmd_default_marker: { parameters: [], result: p }, // static string, not freed
  mtmd_context_params_default: { parameters: [], result: mtmd_context_params.ffi },
  // context: owned by the caller, freed with mtmd_free before its text model;
  // NULL on failure (reason logged)
  mtmd_init_from_file: { parameters: [buf, p, mtmd_context_params.ffi], result: p },
  mtmd_free: { parameters: [p], result: "void" },
  mtmd_support_vision: { parameters: [p], result: "bool" },
  mtmd_support_audio: { parameters: [p], result: "bool" },
  mtmd_decode_use_mrope: { parameters: [p], result: "bool" },
  /** Process-wide, like llama_log_set; ffi/mtmd_library.ts points it at the log capture. */
  mtmd_log_set: { parameters: ["function", p], result: "void" },

  mtmd_bitmap_free: { parameters: [p], result: "void" },
  mtmd_bitmap_get_nx: { parameters: [p], result: "u32" },
  mtmd_bitmap_get_ny: { parameters: [p], result: "u32" },

  // chunks: owned by the caller, freed with mtmd_input_chunks_free
  mtmd_input_chunks_init: { parameters: [], result: p },
  mtmd_input_chunks_size: { parameters: [p], result: "usize" },
  // chunk: owned by its chunks
  mtmd_input_chunks_get: { parameters: [p, "usize"], result: p },
  mtmd_input_chunks_free: { parameters: [p], result: "void" },
  mtmd_input_chunk_get_type: { parameters: [p], result: "i32" },
  // tokens: owned by the chunk; the count is written through the second argument
  mtmd_input_chunk_get_tokens_text: { parameters: [p, buf], result: p },
  mtmd_input_chunk_get_n_tokens: { parameters: [p], result: "usize" },
  mtmd_input_chunk_get_n_pos: { parameters: [p], result: "i32" },
  // id: owned by the chunk (the image's SHA-256 from the helper), or NULL
  mtmd_input_chunk_get_id: { parameters: [p], result: p },

  /** 0 ok, 1 markers and bitmaps differ in number, 2 image preprocessing failed. */
  mtmd_tokenize: { parameters: [p, p, buf, buf, "usize"], result: "i32" },
} as const;

/** The libmtmd helper symbols (mtmd-helper.h) Hearth uses; in libmtmd itself. */
export const MTMD_HELPER_SYMBOLS = {
  mtmd_helper_log_set: { parameters: ["function", p], result: "void" },
  mtmd_helper_init_opt_default: { parameters: [], result: mtmd_helper_init_opt.ffi },
  // bitmap: owned by the caller, freed with mtmd_bitmap_free; NULL when the bytes are
  // not an image stb_image decodes (PNG, JPEG, BMP, GIF; WebP needs ffmpeg)
  mtmd_helper_bitmap_init_from_buf: {
    parameters: [p, buf, "usize", "bool", mtmd_helper_init_opt.ffi],
    result: mtmd_helper_bitmap_wrapper.ffi,
  },
  /** 0 ok; non-zero: an encode or llama_decode failed (its code). */
  mtmd_helper_eval_chunks: {
    parameters: [p, p, p, "i32", "i32", "i32", "bool", buf],
    result: "i32",
  },
  /** As mtmd_helper_eval_chunks, for one chunk. */
  mtmd_helper_eval_chunk_single: {
    parameters: [p, p, p, "i32", "i32", "i32", "bool", buf],
    result: "i32",
  },
} as const;

/** The opened libmtmd. */
export type MtmdLib = Deno.DynamicLibrary<typeof MTMD_SYMBOLS & typeof MTMD_HELPER_SYMBOLS>[
  "symbols"
];
