/**
 * @module convert/safetensors
 * Reads the safetensors format: u64 little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}`, then raw
 * little-endian tensor data. F32, F16 and BF16 tensors decode to Float32Array.
 */
import { ConvertError } from "./errors.ts";

export type SafetensorsDType = "F32" | "F16" | "BF16";

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

const DTYPE_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** A parsed safetensors file: the header index plus lazy fp32 decoding of each tensor. */
export class SafetensorsFile {
  readonly file: string;
  readonly entries: ReadonlyMap<string, TensorEntry>;
  private readonly data: Uint8Array;

  constructor(file: string, bytes: Uint8Array) {
    this.file = file;
    if (bytes.length < 8) throw new ConvertError(`${file}: too short to be a safetensors file (${bytes.length} bytes)`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = view.getBigUint64(0, true);
    if (headerLength > BigInt(bytes.length - 8)) {
      throw new ConvertError(`${file}: header length ${headerLength} exceeds the file size (${bytes.length} bytes); not a safetensors file?`);
    }
    const n = Number(headerLength);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes.subarray(8, 8 + n)));
    } catch (e) {
      throw new ConvertError(`${file}: header is not valid JSON (${(e as Error).message})`);
    }
    if (typeof header !== "object" || header === null || Array.isArray(header)) {
      throw new ConvertError(`${file}: header is not a JSON object`);
    }
    this.data = bytes.subarray(8 + n);
    const entries = new Map<string, TensorEntry>();
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === "__metadata__") continue;
      const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const offsets = e.data_offsets;
      if (
        typeof e.dtype !== "string" ||
        !Array.isArray(e.shape) ||
        !e.shape.every((d) => Number.isInteger(d) && d >= 0) ||
        !Array.isArray(offsets) ||
        offsets.length !== 2 ||
        !offsets.every((o) => Number.isInteger(o) && o >= 0)
      ) {
        throw new ConvertError(`${file}: malformed header entry for tensor "${name}"`);
      }
      const [begin, end] = offsets as [number, number];
      const count = (e.shape as number[]).reduce((a, b) => a * b, 1);
      const size = DTYPE_BYTES[e.dtype];
      if (end < begin || end > this.data.length) {
        throw new ConvertError(`${file}: tensor "${name}" data [${begin}, ${end}) lies outside the file's data section (${this.data.length} bytes)`);
      }
      if (size !== undefined && count * size !== end - begin) {
        throw new ConvertError(`${file}: tensor "${name}" holds ${end - begin} bytes, but ${e.dtype} ${JSON.stringify(e.shape)} needs ${count * size}`);
      }
      entries.set(name, { name, dtype: e.dtype, shape: e.shape as number[], begin, end });
    }
    this.entries = entries;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Decodes a tensor to fp32 (copying). */
  float32(name: string): Float32Array {
    const e = this.entries.get(name);
    if (e === undefined) throw new ConvertError(`${this.file}: missing tensor "${name}"`);
    const raw = this.data.subarray(e.begin, e.end);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const count = e.shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(count);
    switch (e.dtype) {
      case "F32":
        for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
        return out;
      case "F16":
        for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
        return out;
      case "BF16": {
        const u32 = new Uint32Array(out.buffer);
        for (let i = 0; i < count; i++) u32[i] = view.getUint16(i * 2, true) << 16;
        return out;
      }
      default:
        throw new ConvertError(`${this.file}: tensor "${name}" has dtype ${e.dtype}; supported: F32, F16, BF16`);
    }
  }
}

/** IEEE 754 binary16 → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
