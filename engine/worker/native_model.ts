/**
 * A loaded `llama_model` and its vocabulary, in the engine Worker: load, facts,
 * tokenize, detokenize and llama.cpp's built-in chat templates. Owns one model
 * handle, freed once by {@link NativeModel.free} after its contexts.
 *
 * @module
 */
import type { NativeMtmd } from "./native_mtmd.ts";
import type { NativeLibraries } from "../../ffi/library.ts";
import { StructBuffer } from "../../ffi/layout.ts";
import { llama_chat_message, llama_model_params } from "../../ffi/structs.ts";
import { cString, decodeBytes, readCString } from "../../ffi/strings.ts";
import { EngineError, LoraAdapterError, ModelLoadError } from "../errors.ts";
import type { ModelInfo } from "../types.ts";

/** Load-time options, validated by the caller. */
export interface NativeModelOptions {
  nGpuLayers: number;
  useMmap: boolean;
  /** Lock the weights in RAM; absent = false (the load probe's child does not lock). */
  useMlock?: boolean;
  vocabOnly: boolean;
  /** `use_extra_bufts` (weight repacking); absent = true, llama.cpp's default. */
  useExtraBufts?: boolean;
}

/** `enum llama_load_mode` (llama.h): NONE reads the file, MMAP maps it. */
const LLAMA_LOAD_MODE_NONE = 0;
const LLAMA_LOAD_MODE_MMAP = 1;
/** MLOCK reads the file and locks it in RAM; MMAP_MLOCK maps it and locks the pages. */
const LLAMA_LOAD_MODE_MLOCK = 2;
const LLAMA_LOAD_MODE_MMAP_MLOCK = 3;

/** `llama_model_params.load_mode` for the mmap and mlock options. */
function loadMode(options: NativeModelOptions): number {
  if (options.useMlock) return options.useMmap ? LLAMA_LOAD_MODE_MMAP_MLOCK : LLAMA_LOAD_MODE_MLOCK;
  return options.useMmap ? LLAMA_LOAD_MODE_MMAP : LLAMA_LOAD_MODE_NONE;
}

/** A model handle owned by the Worker. */
export class NativeModel {
  readonly libs: NativeLibraries;
  readonly vocab: Deno.PointerObject;
  readonly info: ModelInfo;
  #model: Deno.PointerObject | null;
  /** LoRA adapters by Worker id; llama_model_free frees those still here. */
  readonly #loras = new Map<number, Deno.PointerObject>();
  /** The mmproj loaded for this model (image input), freed before the model. */
  mtmd: NativeMtmd | undefined;

  private constructor(libs: NativeLibraries, model: Deno.PointerObject, info: ModelInfo) {
    this.libs = libs;
    this.#model = model;
    this.vocab = libs.llama.llama_model_get_vocab(model)!;
    this.info = info;
  }

  /**
   * Loads a model file that has already passed GGUF validation.
   * `onProgress` gets a fraction in [0, 1] and returns false to cancel the load.
   *
   * @throws {ModelLoadError} with llama.cpp's logged reason when the load fails or
   *   is cancelled.
   */
  static load(
    libs: NativeLibraries,
    path: string,
    options: NativeModelOptions,
    onProgress: (fraction: number) => boolean,
  ): NativeModel {
    const { llama } = libs;
    const params = new StructBuffer(
      llama_model_params,
      new Uint8Array(llama.llama_model_default_params() as Uint8Array<ArrayBuffer>),
    );
    const progress = new Deno.UnsafeCallback(
      { parameters: ["f32", "pointer"], result: "bool" } as const,
      (fraction) => onProgress(fraction),
    );
    params
      .set("n_gpu_layers", options.nGpuLayers)
      .set("load_mode", loadMode(options))
      .set("vocab_only", options.vocabOnly)
      .set("use_extra_bufts", options.useExtraBufts ?? true)
      .set("progress_callback", progress.pointer);
    const mark = libs.log.mark();
    let model: Deno.PointerValue;
    try {
      model = llama.llama_model_load_from_file(cString(path), params.bytes);
    } finally {
      progress.close();
    }
    if (model === null) throw new ModelLoadError(path, libs.log.reason(mark));
    const info = readInfo(libs, model, path, options);
    // llama.cpp reports offloading only in its log ("offloaded 6/6 layers to GPU").
    for (const line of libs.log.since(mark)) {
      const found = /offloaded (\d+)\/\d+ layers to GPU/.exec(line.text);
      if (found) info.nLayersOffloaded = Number(found[1]);
    }
    return new NativeModel(libs, model, info);
  }

  /** The model handle. @throws {EngineError} after {@link free}. */
  get pointer(): Deno.PointerObject {
    if (this.#model === null) throw new EngineError("Cannot use a freed model");
    return this.#model;
  }

  /** Tokenizes UTF-8 text. */
  tokenize(text: string, addSpecial: boolean, parseSpecial: boolean): Int32Array<ArrayBuffer> {
    const bytes = new TextEncoder().encode(text);
    // A token covers at least one byte, plus BOS/EOS.
    let out = new Int32Array(bytes.length + 2);
    let n = this.libs.llama.llama_tokenize(
      this.vocab,
      bytes,
      bytes.length,
      out,
      out.length,
      addSpecial,
      parseSpecial,
    );
    if (n < 0) {
      if (n === -2147483648) throw new RangeError("Cannot tokenize: more than 2^31 tokens");
      out = new Int32Array(-n);
      n = this.libs.llama.llama_tokenize(
        this.vocab,
        bytes,
        bytes.length,
        out,
        out.length,
        addSpecial,
        parseSpecial,
      );
    }
    return out.slice(0, n);
  }

  /** The raw bytes of one token's text (may be part of a UTF-8 character). */
  tokenBytes(token: number, special: boolean, scratch: Uint8Array<ArrayBuffer>): Uint8Array {
    const n = this.libs.llama.llama_token_to_piece(
      this.vocab,
      token,
      scratch,
      scratch.length,
      0,
      special,
    );
    if (n >= 0) return scratch.subarray(0, n);
    const big = new Uint8Array(-n);
    const m = this.libs.llama.llama_token_to_piece(this.vocab, token, big, big.length, 0, special);
    return big.subarray(0, m);
  }

  /** Turns tokens back into text. */
  detokenize(tokens: Int32Array<ArrayBuffer>, removeSpecial: boolean, unparseSpecial: boolean) {
    let out = new Uint8Array(tokens.length * 8 + 16);
    const call = () =>
      this.libs.llama.llama_detokenize(
        this.vocab,
        tokens,
        tokens.length,
        out,
        out.length,
        removeSpecial,
        unparseSpecial,
      );
    let n = call();
    if (n < 0) {
      out = new Uint8Array(-n);
      n = call();
    }
    return decodeBytes(out, n);
  }

  /**
   * Renders messages with llama.cpp's built-in template matching `template` (it
   * recognises known families by their markers; no Jinja).
   *
   * @throws {EngineError} when llama.cpp does not recognise the template.
   */
  applyBuiltinTemplate(
    template: string,
    messages: readonly { role: string; content: string }[],
    addAssistant: boolean,
  ): string {
    const strings = messages.map((m) => [cString(m.role), cString(m.content)]);
    const array = new Uint8Array(llama_chat_message.size * messages.length);
    const view = new DataView(array.buffer);
    strings.forEach(([role, content], i) => {
      const at = i * llama_chat_message.size;
      view.setBigUint64(at, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(role))), true);
      view.setBigUint64(
        at + llama_chat_message.offsets.content,
        BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(content))),
        true,
      );
    });
    const total = strings.reduce((sum, [r, c]) => sum + r.length + c.length, 0);
    let out = new Uint8Array(total * 2 + 256);
    const tmpl = cString(template);
    const call = () =>
      this.libs.llama.llama_chat_apply_template(
        tmpl,
        array,
        BigInt(messages.length),
        addAssistant,
        out,
        out.length,
      );
    let n = call();
    if (n < 0) throw new EngineError("Cannot apply chat template: llama.cpp does not know it");
    if (n > out.length) {
      out = new Uint8Array(n);
      n = call();
    }
    return decodeBytes(out, n);
  }

  /**
   * Loads a LoRA adapter file (checked on the main thread first) under `id`.
   *
   * @throws {LoraAdapterError} with llama.cpp's logged reason when it refuses the file.
   */
  loadLora(id: number, path: string): void {
    const { llama, log } = this.libs;
    const mark = log.mark();
    const adapter = llama.llama_adapter_lora_init(this.pointer, cString(path));
    if (adapter === null) throw new LoraAdapterError(path, log.reason(mark));
    this.#loras.set(id, adapter);
  }

  /** The handle of adapter `id`. @throws {EngineError} when it was freed. */
  lora(id: number): Deno.PointerObject {
    const adapter = this.#loras.get(id);
    if (!adapter) throw new EngineError(`Cannot apply LoRA adapter ${id}: it was freed`);
    return adapter;
  }

  /** Frees adapter `id`; the caller takes it off every context first. */
  freeLora(id: number): void {
    const adapter = this.#loras.get(id);
    if (!adapter) return;
    this.#loras.delete(id);
    this.libs.llama.llama_adapter_lora_free(adapter);
  }

  /** Frees the model; the caller frees its contexts first. Later calls do nothing. */
  free(): void {
    if (this.#model === null) return;
    this.#loras.clear();
    this.mtmd?.free();
    this.mtmd = undefined;
    this.libs.llama.llama_model_free(this.#model);
    this.#model = null;
  }
}

function readInfo(
  libs: NativeLibraries,
  model: Deno.PointerObject,
  path: string,
  options: NativeModelOptions,
): ModelInfo {
  const { llama } = libs;
  const vocab = llama.llama_model_get_vocab(model)!;
  const scratch = new Uint8Array(512);
  const meta = (key: string) => {
    const n = llama.llama_model_meta_val_str(model, cString(key), scratch, BigInt(scratch.length));
    return n < 0 ? undefined : decodeBytes(scratch, Math.min(n, scratch.length - 1));
  };
  const descLength = llama.llama_model_desc(model, scratch, BigInt(scratch.length));
  const template = llama.llama_model_chat_template(model, null);
  return {
    path,
    description: decodeBytes(scratch, Math.max(0, descLength)),
    architecture: meta("general.architecture") ?? "unknown",
    name: meta("general.name"),
    nParams: Number(llama.llama_model_n_params(model)),
    sizeBytes: Number(llama.llama_model_size(model)),
    nCtxTrain: llama.llama_model_n_ctx_train(model),
    nEmbd: llama.llama_model_n_embd(model),
    nLayer: llama.llama_model_n_layer(model),
    nVocab: llama.llama_vocab_n_tokens(vocab),
    chatTemplate: template === null ? undefined : readCString(template),
    bos: llama.llama_vocab_bos(vocab),
    eos: llama.llama_vocab_eos(vocab),
    eot: llama.llama_vocab_eot(vocab),
    addBos: llama.llama_vocab_get_add_bos(vocab),
    vocabOnly: options.vocabOnly,
    nGpuLayers: options.nGpuLayers,
    nLayersOffloaded: 0,
  };
}
