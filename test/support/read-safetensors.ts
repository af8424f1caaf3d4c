/**
 * @module test/support/read-safetensors
 * A minimal, independent safetensors reader for tests (F32/F16/BF16 → Float32Array), used to
 * feed real checkpoints to the reference forward pass. Shares no code with src/convert.
 */
import { readFileSync } from "node:fs";

export function readSafetensors(path: string, stripPrefix = "albert."): Map<string, Float32Array> {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8")) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const out = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [begin, end] = t.data_offsets;
    const raw = buf.subarray(base + begin, base + end);
    let data: Float32Array;
    if (t.dtype === "F32") {
      data = new Float32Array(raw.length / 4);
      for (let i = 0; i < data.length; i++) data[i] = raw.readFloatLE(i * 4);
    } else if (t.dtype === "BF16") {
      data = new Float32Array(raw.length / 2);
      const u = new Uint32Array(data.buffer);
      for (let i = 0; i < data.length; i++) u[i] = raw.readUInt16LE(i * 2) << 16;
    } else if (t.dtype === "F16") {
      data = new Float32Array(raw.length / 2);
      for (let i = 0; i < data.length; i++) {
        const h = raw.readUInt16LE(i * 2);
        const e = (h >> 10) & 31;
        const m = h & 1023;
        const v = e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15);
        data[i] = h & 0x8000 ? -v : v;
      }
    } else throw new Error(`readSafetensors: dtype ${t.dtype}`);
    out.set(name.startsWith(stripPrefix) ? name.slice(stripPrefix.length) : name, data);
  }
  return out;
}
