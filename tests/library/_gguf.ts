/**
 * Writes small valid GGUF v3 files for the library tests: chosen metadata and F32
 * tensors filled with zeros. For what the real models in ../shared/models do not
 * cover: split parts, projectors, `general.file_type`, licenses.
 *
 * @module
 */

/** A metadata value: strings, bools, f32 for fractions, u32 for integers, u64 for bigints. */
export type GgufValue = string | number | boolean | bigint;

/** What to write. */
export interface GgufSpec {
  /** Key-value pairs, in order. */
  metadata: Record<string, GgufValue>;
  /** F32 tensors by name and shape (innermost dimension first, as in GGUF). */
  tensors?: { name: string; shape: number[] }[];
}

const ALIGNMENT = 32;
const TYPE = { u32: 4, f32: 6, bool: 7, string: 8, u64: 10 } as const;

/** Builds the bytes of a GGUF v3 file. */
export function ggufBytes(spec: GgufSpec): Uint8Array {
  const out = new Writer();
  const tensors = spec.tensors ?? [];
  out.bytes(new TextEncoder().encode("GGUF"));
  out.u32(3);
  out.u64(BigInt(tensors.length));
  out.u64(BigInt(Object.keys(spec.metadata).length));
  for (const [key, value] of Object.entries(spec.metadata)) {
    out.string(key);
    out.value(value);
  }
  let offset = 0;
  const sizes: number[] = [];
  for (const { name, shape } of tensors) {
    out.string(name);
    out.u32(shape.length);
    for (const dim of shape) out.u64(BigInt(dim));
    out.u32(0); // GGML_TYPE_F32
    out.u64(BigInt(offset));
    const size = shape.reduce((a, b) => a * b, 1) * 4;
    sizes.push(size);
    offset += pad(size);
  }
  if (tensors.length > 0) {
    out.bytes(new Uint8Array(pad(out.length) - out.length));
    for (const size of sizes) out.bytes(new Uint8Array(pad(size)));
  }
  return out.finish();
}

/** Writes a GGUF file; returns its path. */
export function writeGguf(path: string, spec: GgufSpec): string {
  Deno.writeFileSync(path, ggufBytes(spec));
  return path;
}

function pad(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

class Writer {
  readonly #chunks: Uint8Array[] = [];
  length = 0;

  bytes(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.length += bytes.length;
  }

  #view(size: number, write: (view: DataView) => void): void {
    const bytes = new Uint8Array(size);
    write(new DataView(bytes.buffer));
    this.bytes(bytes);
  }

  u32(n: number): void {
    this.#view(4, (view) => view.setUint32(0, n, true));
  }

  u64(n: bigint): void {
    this.#view(8, (view) => view.setBigUint64(0, n, true));
  }

  string(text: string): void {
    const bytes = new TextEncoder().encode(text);
    this.u64(BigInt(bytes.length));
    this.bytes(bytes);
  }

  value(value: GgufValue): void {
    if (typeof value === "string") {
      this.u32(TYPE.string);
      this.string(value);
    } else if (typeof value === "boolean") {
      this.u32(TYPE.bool);
      this.bytes(new Uint8Array([value ? 1 : 0]));
    } else if (typeof value === "bigint") {
      this.u32(TYPE.u64);
      this.u64(value);
    } else if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) {
      this.u32(TYPE.u32);
      this.u32(value);
    } else {
      this.u32(TYPE.f32);
      this.#view(4, (view) => view.setFloat32(0, value, true));
    }
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}
