/**
 * @module test/unit/convert/safetensors
 * The safetensors reader: F32/F16/BF16 decoding (incl. half-precision special values) and
 * errors for malformed files naming the file and tensor.
 */
import { describe, expect, it } from "vitest";
import { ConvertError } from "../../../src/convert/errors.ts";
import { halfToFloat, SafetensorsFile } from "../../../src/convert/safetensors.ts";
import { safetensorsBytes } from "../../support/checkpoint-generator.ts";

function le16(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  values.forEach((v, i) => new DataView(out.buffer).setUint16(i * 2, v, true));
  return out;
}

describe("SafetensorsFile", () => {
  it("decodes F32, F16 and BF16 to fp32", () => {
    const f32 = new Float32Array([1.5, -2.25, 3e-8]);
    const bytes = safetensorsBytes([
      { name: "a", dtype: "F32", shape: [3], bytes: new Uint8Array(f32.buffer) },
      { name: "h", dtype: "F16", shape: [2, 2], bytes: le16([0x3c00, 0xc000, 0x0001, 0x7bff]) },
      { name: "b", dtype: "BF16", shape: [2], bytes: le16([0x3fc0, 0xbf80]) },
    ]);
    const st = new SafetensorsFile("x.safetensors", bytes);
    expect([...st.float32("a")]).toEqual([...f32]);
    expect([...st.float32("h")]).toEqual([1, -2, 2 ** -24, 65504]);
    expect([...st.float32("b")]).toEqual([1.5, -1]);
  });

  it("halfToFloat handles zeros, infinities and NaN", () => {
    expect(halfToFloat(0x0000)).toBe(0);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(halfToFloat(0x3555)).toBeCloseTo(0.333251953125, 12);
  });

  it("rejects malformed files with the file and tensor named", () => {
    expect(() => new SafetensorsFile("f.safetensors", new Uint8Array(4))).toThrow(/f\.safetensors: too short/);
    const bad = safetensorsBytes([{ name: "w", dtype: "F32", shape: [2], bytes: new Uint8Array(8) }]);
    const header = new TextDecoder().decode(bad.subarray(8, 8 + Number(new DataView(bad.buffer).getBigUint64(0, true))));
    const wrongSize = header.replace('"shape":[2]', '"shape":[3]');
    const rebuilt = new Uint8Array(8 + wrongSize.length + 8);
    new DataView(rebuilt.buffer).setBigUint64(0, BigInt(wrongSize.length), true);
    rebuilt.set(new TextEncoder().encode(wrongSize), 8);
    expect(() => new SafetensorsFile("f.safetensors", rebuilt)).toThrow(/tensor "w" holds 8 bytes, but F32 \[3\] needs 12/);
    const st = new SafetensorsFile("f.safetensors", safetensorsBytes([{ name: "i", dtype: "F32", shape: [1], bytes: new Uint8Array(4) }]));
    expect(() => st.float32("nope")).toThrow(ConvertError);
    expect(() => st.float32("nope")).toThrow(/missing tensor "nope"/);
  });

  it("names unsupported dtypes", () => {
    const header = JSON.stringify({ q: { dtype: "I8", shape: [2], data_offsets: [0, 2] } });
    const bytes = new Uint8Array(8 + header.length + 2);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(new TextEncoder().encode(header), 8);
    expect(() => new SafetensorsFile("g.safetensors", bytes).float32("q")).toThrow(/tensor "q" has dtype I8; supported: F32, F16, BF16/);
  });
});
