/**
 * C struct layouts computed from field lists, with the System V / AAPCS64 / Win64
 * rules every platform we ship on follows: each field at the next multiple of its
 * alignment, the struct padded to its largest alignment. `bool` is 1 byte and enums
 * are `i32` (llama.h declares no enum with a fixed underlying type).
 *
 * Deno does not check struct sizes against the C side, so a wrong field list would
 * corrupt memory silently: ffi/layout_test.ts compiles a C program against the pinned
 * llama.h and compares every size and offset with the layouts made here.
 *
 * @module
 */

/** A C scalar type as Deno FFI names it, plus `bool`, which Deno passes as one byte. */
export type CType =
  | "bool"
  | "i8"
  | "u8"
  | "i32"
  | "u32"
  | "f32"
  | "i64"
  | "u64"
  | "f64"
  | "usize"
  | "pointer"
  | "function";

/** A field: name as in the C header, type, and an array length (default 1). */
export type Field = readonly [name: string, type: CType, count?: number];

/** The layout of one C struct. */
export interface StructLayout<F extends string = string> {
  /** The C struct name, for error messages and the layout test. */
  readonly name: string;
  /** sizeof, in bytes. */
  readonly size: number;
  /** _Alignof, in bytes. */
  readonly align: number;
  /** offsetof per field, in bytes. */
  readonly offsets: Readonly<Record<F, number>>;
  /** The C type of each field. */
  readonly types: Readonly<Record<F, CType>>;
  /** The Deno FFI type for passing the struct by value. */
  readonly ffi: Deno.NativeStructType;
}

const SIZES: Record<CType, number> = {
  bool: 1,
  i8: 1,
  u8: 1,
  i32: 4,
  u32: 4,
  f32: 4,
  i64: 8,
  u64: 8,
  f64: 8,
  usize: 8,
  pointer: 8,
  function: 8,
};

/**
 * Computes a struct's layout from its fields in declaration order.
 *
 * @throws {RangeError} on a 32-bit platform, where pointer sizes differ.
 */
export function structLayout<const F extends readonly Field[]>(
  name: string,
  fields: F,
): StructLayout<F[number][0]> {
  if (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64") {
    throw new RangeError(`Cannot lay out ${name}: unsupported architecture "${Deno.build.arch}"`);
  }
  const offsets: Record<string, number> = {};
  const types: Record<string, CType> = {};
  const ffiFields: Deno.NativeType[] = [];
  let offset = 0;
  let align = 1;
  for (const [field, type, count = 1] of fields) {
    const size = SIZES[type];
    offset = Math.ceil(offset / size) * size;
    offsets[field] = offset;
    types[field] = type;
    offset += size * count;
    align = Math.max(align, size);
    const ffiType: Deno.NativeType = type === "bool" ? "u8" : type;
    for (let i = 0; i < count; i++) ffiFields.push(ffiType);
  }
  return {
    name,
    size: Math.ceil(offset / align) * align,
    align,
    offsets: offsets as Record<F[number][0], number>,
    types: types as Record<F[number][0], CType>,
    ffi: { struct: ffiFields },
  };
}

/** Typed access to one struct instance held in a byte buffer. */
export class StructBuffer<F extends string> {
  /** The struct's bytes; pass this to FFI for by-value or pointer arguments. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly #view: DataView;
  readonly #layout: StructLayout<F>;

  /** Wraps `bytes` (zero-filled and sized to the struct when omitted). */
  constructor(layout: StructLayout<F>, bytes?: Uint8Array<ArrayBuffer>) {
    if (bytes && bytes.byteLength < layout.size) {
      throw new RangeError(
        `Cannot view ${layout.name}: buffer holds ${bytes.byteLength} bytes, struct needs ${layout.size}`,
      );
    }
    this.bytes = bytes ?? new Uint8Array(layout.size);
    this.#view = new DataView(this.bytes.buffer, this.bytes.byteOffset, layout.size);
    this.#layout = layout;
  }

  /** Reads a field; 64-bit integers and pointers come back as bigint. */
  get(field: F): number | bigint | boolean {
    const at = this.#layout.offsets[field];
    const v = this.#view;
    switch (this.#layout.types[field]) {
      case "bool":
        return v.getUint8(at) !== 0;
      case "i8":
        return v.getInt8(at);
      case "u8":
        return v.getUint8(at);
      case "i32":
        return v.getInt32(at, true);
      case "u32":
        return v.getUint32(at, true);
      case "f32":
        return v.getFloat32(at, true);
      case "f64":
        return v.getFloat64(at, true);
      case "i64":
        return v.getBigInt64(at, true);
      default:
        return v.getBigUint64(at, true);
    }
  }

  /** Writes a field; pointers take a `Deno.PointerValue` or a bigint address. */
  set(field: F, value: number | bigint | boolean | Deno.PointerValue): this {
    const at = this.#layout.offsets[field];
    const v = this.#view;
    switch (this.#layout.types[field]) {
      case "bool":
        v.setUint8(at, value ? 1 : 0);
        break;
      case "i8":
        v.setInt8(at, Number(value));
        break;
      case "u8":
        v.setUint8(at, Number(value));
        break;
      case "i32":
        v.setInt32(at, Number(value), true);
        break;
      case "u32":
        v.setUint32(at, Number(value), true);
        break;
      case "f32":
        v.setFloat32(at, Number(value), true);
        break;
      case "f64":
        v.setFloat64(at, Number(value), true);
        break;
      case "i64":
        v.setBigInt64(at, BigInt(value as number | bigint), true);
        break;
      default: {
        const address = value === null
          ? 0n
          : typeof value === "object"
          ? Deno.UnsafePointer.value(value)
          : BigInt(value as number | bigint);
        v.setBigUint64(at, BigInt(address), true);
      }
    }
    return this;
  }
}
