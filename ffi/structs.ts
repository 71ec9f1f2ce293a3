/**
 * Layouts of the C structs Hearth passes to libllama and libggml, field for field as
 * declared in the pinned llama.h / ggml.h (llama.cpp release in ffi/lib_version.ts).
 * ffi/layout_test.ts checks each against the C compiler.
 *
 * @module
 */
import { structLayout } from "./layout.ts";

/** `struct llama_model_params` (llama.h). */
export const llama_model_params = structLayout("llama_model_params", [
  ["devices", "pointer"],
  ["tensor_buft_overrides", "pointer"],
  ["n_gpu_layers", "i32"],
  ["split_mode", "i32"],
  ["load_mode", "i32"],
  ["lazy_mode", "i32"],
  ["main_gpu", "i32"],
  ["tensor_split", "pointer"],
  ["progress_callback", "function"],
  ["progress_callback_user_data", "pointer"],
  ["kv_overrides", "pointer"],
  ["vocab_only", "bool"],
  ["check_tensors", "bool"],
  ["use_extra_bufts", "bool"],
  ["no_host", "bool"],
  ["no_alloc", "bool"],
  ["load_mtp", "bool"],
]);

/** `struct llama_context_params` (llama.h). */
export const llama_context_params = structLayout("llama_context_params", [
  ["n_ctx", "u32"],
  ["n_batch", "u32"],
  ["n_ubatch", "u32"],
  ["n_seq_max", "u32"],
  ["n_rs_seq", "u32"],
  ["n_outputs_max", "u32"],
  ["n_outputs_max_per_seq", "u32"],
  ["n_threads", "i32"],
  ["n_threads_batch", "i32"],
  ["ctx_type", "i32"],
  ["rope_scaling_type", "i32"],
  ["pooling_type", "i32"],
  ["attention_type", "i32"],
  ["flash_attn_type", "i32"],
  ["rope_freq_base", "f32"],
  ["rope_freq_scale", "f32"],
  ["yarn_ext_factor", "f32"],
  ["yarn_attn_factor", "f32"],
  ["yarn_beta_fast", "f32"],
  ["yarn_beta_slow", "f32"],
  ["yarn_orig_ctx", "u32"],
  ["defrag_thold", "f32"],
  ["cb_eval", "function"],
  ["cb_eval_user_data", "pointer"],
  ["type_k", "i32"],
  ["type_v", "i32"],
  ["abort_callback", "function"],
  ["abort_callback_data", "pointer"],
  ["embeddings", "bool"],
  ["offload_kqv", "bool"],
  ["no_perf", "bool"],
  ["op_offload", "bool"],
  ["swa_full", "bool"],
  ["kv_unified", "bool"],
  ["samplers", "pointer"],
  ["n_samplers", "usize"],
  ["ctx_other", "pointer"],
]);

/** `struct llama_batch` (llama.h): `seq_id` is an array of pointers to seq id arrays. */
export const llama_batch = structLayout("llama_batch", [
  ["n_tokens", "i32"],
  ["token", "pointer"],
  ["embd", "pointer"],
  ["pos", "pointer"],
  ["n_seq_id", "pointer"],
  ["seq_id", "pointer"],
  ["logits", "pointer"],
]);

/** `struct llama_sampler_chain_params` (llama.h). */
export const llama_sampler_chain_params = structLayout("llama_sampler_chain_params", [
  ["no_perf", "bool"],
]);

/** `struct llama_chat_message` (llama.h). */
export const llama_chat_message = structLayout("llama_chat_message", [
  ["role", "pointer"],
  ["content", "pointer"],
]);

/** `struct llama_logit_bias` (llama.h). */
export const llama_logit_bias = structLayout("llama_logit_bias", [
  ["token", "i32"],
  ["bias", "f32"],
]);

/** `struct llama_perf_context_data` (llama.h); times in milliseconds. */
export const llama_perf_context_data = structLayout("llama_perf_context_data", [
  ["t_start_ms", "f64"],
  ["t_load_ms", "f64"],
  ["t_p_eval_ms", "f64"],
  ["t_eval_ms", "f64"],
  ["n_p_eval", "i32"],
  ["n_eval", "i32"],
  ["n_reused", "i32"],
]);

/** `GGML_MAX_N_THREADS` (ggml.h): the length of a threadpool's CPU mask. */
export const GGML_MAX_N_THREADS = 512;

/** `struct ggml_threadpool_params` (ggml.h); filled by `ggml_threadpool_params_init`. */
export const ggml_threadpool_params = structLayout("ggml_threadpool_params", [
  ["cpumask", "bool", GGML_MAX_N_THREADS],
  ["n_threads", "i32"],
  ["prio", "i32"],
  ["poll", "u32"],
  ["strict_cpu", "bool"],
  ["paused", "bool"],
]);

/** `struct mtmd_context_params` (tools/mtmd/mtmd.h). */
export const mtmd_context_params = structLayout("mtmd_context_params", [
  ["use_gpu", "bool"],
  ["device", "pointer"],
  ["print_timings", "bool"],
  ["n_threads", "i32"],
  ["image_marker", "pointer"],
  ["media_marker", "pointer"],
  ["flash_attn_type", "i32"],
  ["warmup", "bool"],
  ["image_min_tokens", "i32"],
  ["image_max_tokens", "i32"],
  ["cb_eval", "function"],
  ["cb_eval_user_data", "pointer"],
  ["batch_max_tokens", "i32"],
  ["progress_callback", "function"],
  ["progress_callback_user_data", "pointer"],
]);

/** `struct mtmd_input_text` (tools/mtmd/mtmd.h); `text` need not end in NUL. */
export const mtmd_input_text = structLayout("mtmd_input_text", [
  ["text", "pointer"],
  ["text_len", "usize"],
  ["add_special", "bool"],
  ["parse_special", "bool"],
]);

/** `struct mtmd_helper_video_init_params` (tools/mtmd/mtmd-helper.h). */
export const mtmd_helper_video_init_params = structLayout("mtmd_helper_video_init_params", [
  ["fps_target", "f32"],
  ["ffmpeg_bin_dir", "pointer"],
  ["timestamp_interval_ms", "i64"],
]);

/**
 * `struct mtmd_helper_init_opt` (tools/mtmd/mtmd-helper.h): one
 * `mtmd_helper_video_init_params`, spelled out field by field.
 */
export const mtmd_helper_init_opt = structLayout("mtmd_helper_init_opt", [
  ["video_params", "u64", 3],
]);

/** `struct mtmd_helper_bitmap_wrapper` (tools/mtmd/mtmd-helper.h). */
export const mtmd_helper_bitmap_wrapper = structLayout("mtmd_helper_bitmap_wrapper", [
  ["bitmap", "pointer"],
  ["video_ctx", "pointer"],
]);

/** Every layout above, for the layout test. */
export const ALL_LAYOUTS = [
  llama_model_params,
  llama_context_params,
  llama_batch,
  llama_sampler_chain_params,
  llama_chat_message,
  llama_logit_bias,
  llama_perf_context_data,
  ggml_threadpool_params,
  mtmd_context_params,
  mtmd_input_text,
  mtmd_helper_video_init_params,
  mtmd_helper_init_opt,
  mtmd_helper_bitmap_wrapper,
] as const;
