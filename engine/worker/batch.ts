/**
 * A reusable `llama_batch` built from JS buffers (no `llama_batch_init`, so nothing
 * to free): token ids, positions, one seq id per token and output flags. Worker-only.
 *
 * @module
 */
import { StructBuffer } from "../../ffi/layout.ts";
import { llama_batch } from "../../ffi/structs.ts";

/** A batch of up to `capacity` tokens, each in exactly one sequence. */
export class Batch {
  readonly capacity: number;
  readonly tokens: Int32Array<ArrayBuffer>;
  readonly positions: Int32Array<ArrayBuffer>;
  readonly seqIds: Int32Array<ArrayBuffer>;
  readonly outputs: Int8Array<ArrayBuffer>;
  readonly #nSeqId: Int32Array<ArrayBuffer>;
  // llama_batch.seq_id is `llama_seq_id **`: one pointer per token into seqIds.
  readonly #seqIdPointers: BigUint64Array<ArrayBuffer>;
  readonly #struct: StructBuffer<string>;
  readonly #single = new Int32Array(1);
  readonly #singleStruct: StructBuffer<string>;
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.tokens = new Int32Array(capacity);
    this.positions = new Int32Array(capacity);
    this.seqIds = new Int32Array(capacity);
    this.outputs = new Int8Array(capacity);
    this.#nSeqId = new Int32Array(capacity).fill(1);
    this.#seqIdPointers = new BigUint64Array(capacity);
    const base = Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.seqIds));
    for (let i = 0; i < capacity; i++) {
      this.#seqIdPointers[i] = BigInt(base) + BigInt(i * Int32Array.BYTES_PER_ELEMENT);
    }
    this.#struct = new StructBuffer(llama_batch)
      .set("token", Deno.UnsafePointer.of(this.tokens))
      .set("embd", null)
      .set("pos", Deno.UnsafePointer.of(this.positions))
      .set("n_seq_id", Deno.UnsafePointer.of(this.#nSeqId))
      .set("seq_id", Deno.UnsafePointer.of(this.#seqIdPointers))
      .set("logits", Deno.UnsafePointer.of(this.outputs));
    this.#singleStruct = new StructBuffer(llama_batch)
      .set("n_tokens", 1)
      .set("token", Deno.UnsafePointer.of(this.#single));
  }

  /**
   * The struct of a batch of one token on sequence 0 at the next position, as
   * `llama_batch_get_one` builds it (llama.h): no positions, seq ids or output flags,
   * so llama.cpp takes them from the KV cache and outputs the token's logits. The
   * cheapest decode, for token-by-token generation; sample at index 0 after it.
   */
  single(token: number): Uint8Array<ArrayBuffer> {
    this.#single[0] = token;
    return this.#singleStruct.bytes;
  }

  /** Tokens currently in the batch. */
  get size(): number {
    return this.#size;
  }

  /** Empties the batch. */
  clear(): void {
    this.#size = 0;
  }

  /** Appends one token; returns its index in the batch (the index for its logits). */
  add(token: number, position: number, seqId: number, output: boolean): number {
    if (this.#size >= this.capacity) {
      throw new RangeError(`Cannot add token: batch is full at ${this.capacity}`);
    }
    const i = this.#size++;
    this.tokens[i] = token;
    this.positions[i] = position;
    this.seqIds[i] = seqId;
    this.outputs[i] = output ? 1 : 0;
    return i;
  }

  /** The `llama_batch` struct bytes, to pass by value to `llama_decode`. */
  struct(): Uint8Array<ArrayBuffer> {
    this.#struct.set("n_tokens", this.#size);
    return this.#struct.bytes;
  }
}
