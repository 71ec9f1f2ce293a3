/**
 * libllama's C API as a Deno FFI symbol table, spelled as in the pinned llama.h.
 *
 * Every call is blocking: only the engine Worker calls these, on its own OS thread,
 * and a `llama_context` must never be used from two threads at once.
 * Pointer-returning symbols say who owns the result and what frees it.
 *
 * @module
 */
import {
  llama_batch,
  llama_context_params,
  llama_model_params,
  llama_perf_context_data,
  llama_sampler_chain_params,
} from "./structs.ts";

const p = "pointer" as const;
const buf = "buffer" as const;

/** The libllama symbols Hearth uses. */
export const LLAMA_SYMBOLS = {
  llama_backend_init: { parameters: [], result: "void" },
  llama_backend_free: { parameters: [], result: "void" },
  /** Process-wide; ffi/library.ts wraps it once. */
  llama_log_set: { parameters: ["function", p], result: "void" },
  llama_print_system_info: { parameters: [], result: p }, // static string, not freed
  llama_supports_gpu_offload: { parameters: [], result: "bool" },
  llama_supports_mmap: { parameters: [], result: "bool" },
  llama_max_devices: { parameters: [], result: "usize" },

  llama_model_default_params: { parameters: [], result: llama_model_params.ffi },
  llama_context_default_params: { parameters: [], result: llama_context_params.ffi },
  llama_sampler_chain_default_params: { parameters: [], result: llama_sampler_chain_params.ffi },

  // model: owned by the caller, freed with llama_model_free; NULL on failure (reason logged)
  llama_model_load_from_file: { parameters: [buf, llama_model_params.ffi], result: p },
  llama_model_free: { parameters: [p], result: "void" },
  // context: owned by the caller, freed with llama_free before its model
  llama_init_from_model: { parameters: [p, llama_context_params.ffi], result: p },
  llama_free: { parameters: [p], result: "void" },
  llama_attach_threadpool: { parameters: [p, p, p], result: "void" },
  llama_detach_threadpool: { parameters: [p], result: "void" },

  // LoRA adapter: owned by its model (freed with it) unless freed first with
  // llama_adapter_lora_free, which a context still using it must not outlive; NULL on
  // failure (reason logged)
  llama_adapter_lora_init: { parameters: [p, buf], result: p },
  llama_adapter_lora_free: { parameters: [p], result: "void" },
  // (ctx, llama_adapter_lora ** adapters, size_t n, float * scales): replaces the
  // context's set; zero scales are dropped; both arrays may be NULL when n is 0
  llama_set_adapters_lora: { parameters: [p, buf, "usize", buf], result: "i32" },

  llama_n_ctx: { parameters: [p], result: "u32" },
  llama_n_ctx_seq: { parameters: [p], result: "u32" },
  llama_n_batch: { parameters: [p], result: "u32" },
  llama_n_ubatch: { parameters: [p], result: "u32" },
  llama_n_seq_max: { parameters: [p], result: "u32" },
  llama_n_threads: { parameters: [p], result: "i32" },
  llama_get_memory: { parameters: [p], result: p }, // owned by the context
  llama_pooling_type: { parameters: [p], result: "i32" },

  llama_model_get_vocab: { parameters: [p], result: p }, // owned by the model
  llama_model_n_ctx_train: { parameters: [p], result: "i32" },
  llama_model_n_embd: { parameters: [p], result: "i32" },
  llama_model_n_layer: { parameters: [p], result: "i32" },
  llama_model_n_head: { parameters: [p], result: "i32" },
  llama_model_n_head_kv: { parameters: [p], result: "i32" },
  llama_model_meta_val_str: { parameters: [p, buf, buf, "usize"], result: "i32" },
  llama_model_desc: { parameters: [p, buf, "usize"], result: "i32" },
  llama_model_size: { parameters: [p], result: "u64" },
  llama_model_n_params: { parameters: [p], result: "u64" },
  llama_model_chat_template: { parameters: [p, buf], result: p }, // owned by the model; NULL if none
  llama_model_has_encoder: { parameters: [p], result: "bool" },
  llama_model_has_decoder: { parameters: [p], result: "bool" },
  llama_model_is_recurrent: { parameters: [p], result: "bool" },
  llama_model_is_hybrid: { parameters: [p], result: "bool" },

  llama_vocab_type: { parameters: [p], result: "i32" },
  llama_vocab_n_tokens: { parameters: [p], result: "i32" },
  llama_vocab_bos: { parameters: [p], result: "i32" },
  llama_vocab_eos: { parameters: [p], result: "i32" },
  llama_vocab_eot: { parameters: [p], result: "i32" },
  llama_vocab_get_add_bos: { parameters: [p], result: "bool" },
  llama_vocab_get_add_eos: { parameters: [p], result: "bool" },
  llama_vocab_is_eog: { parameters: [p, "i32"], result: "bool" },
  llama_vocab_is_control: { parameters: [p, "i32"], result: "bool" },
  llama_vocab_get_text: { parameters: [p, "i32"], result: p }, // owned by the vocab
  llama_tokenize: {
    parameters: [p, buf, "i32", buf, "i32", "bool", "bool"],
    result: "i32",
  },
  llama_token_to_piece: { parameters: [p, "i32", buf, "i32", "i32", "bool"], result: "i32" },
  llama_detokenize: {
    parameters: [p, buf, "i32", buf, "i32", "bool", "bool"],
    result: "i32",
  },
  llama_chat_apply_template: {
    parameters: [buf, buf, "usize", "bool", buf, "i32"],
    result: "i32",
  },

  llama_memory_clear: { parameters: [p, "bool"], result: "void" },
  llama_memory_seq_rm: { parameters: [p, "i32", "i32", "i32"], result: "bool" },
  llama_memory_seq_cp: { parameters: [p, "i32", "i32", "i32", "i32"], result: "void" },
  llama_memory_seq_pos_min: { parameters: [p, "i32"], result: "i32" },
  llama_memory_seq_pos_max: { parameters: [p, "i32"], result: "i32" },

  llama_decode: { parameters: [p, llama_batch.ffi], result: "i32" },
  llama_encode: { parameters: [p, llama_batch.ffi], result: "i32" },
  llama_set_n_threads: { parameters: [p, "i32", "i32"], result: "void" },
  llama_set_embeddings: { parameters: [p, "bool"], result: "void" },
  llama_set_abort_callback: { parameters: [p, "function", p], result: "void" },
  llama_synchronize: { parameters: [p], result: "void" },
  llama_get_logits_ith: { parameters: [p, "i32"], result: p }, // owned by the context
  llama_get_embeddings_ith: { parameters: [p, "i32"], result: p }, // owned by the context
  llama_get_embeddings_seq: { parameters: [p, "i32"], result: p }, // owned by the context

  // samplers: owned by the caller and freed with llama_sampler_free, except that
  // llama_sampler_chain_add hands ownership to the chain, which frees its members
  llama_sampler_chain_init: { parameters: [llama_sampler_chain_params.ffi], result: p },
  llama_sampler_chain_add: { parameters: [p, p], result: "void" },
  llama_sampler_init_greedy: { parameters: [], result: p },
  llama_sampler_init_dist: { parameters: ["u32"], result: p },
  llama_sampler_init_top_k: { parameters: ["i32"], result: p },
  llama_sampler_init_top_p: { parameters: ["f32", "usize"], result: p },
  llama_sampler_init_min_p: { parameters: ["f32", "usize"], result: p },
  llama_sampler_init_typical: { parameters: ["f32", "usize"], result: p },
  llama_sampler_init_temp: { parameters: ["f32"], result: p },
  llama_sampler_init_mirostat: { parameters: ["i32", "u32", "f32", "f32", "i32"], result: p },
  llama_sampler_init_mirostat_v2: { parameters: ["u32", "f32", "f32"], result: p },
  // NULL when the grammar does not parse (reason logged)
  llama_sampler_init_grammar: { parameters: [p, buf, buf], result: p },
  llama_sampler_init_penalties: { parameters: ["i32", "f32", "f32", "f32"], result: p },
  llama_sampler_init_logit_bias: { parameters: ["i32", "i32", buf], result: p },
  llama_sampler_sample: { parameters: [p, p, "i32"], result: "i32" },
  llama_sampler_accept: { parameters: [p, "i32"], result: "void" },
  llama_sampler_reset: { parameters: [p], result: "void" },
  llama_sampler_free: { parameters: [p], result: "void" },

  llama_perf_context: { parameters: [p], result: llama_perf_context_data.ffi },
  llama_perf_context_reset: { parameters: [p], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened libllama. */
export type LlamaLib = Deno.DynamicLibrary<typeof LLAMA_SYMBOLS>["symbols"];
