/**
 * @module test/unit/convert/onnx-writer
 * The hand-written protobuf/ONNX encoder and the int8 quantizer: wire encodings, deterministic
 * model bytes, a tiny graph that onnxruntime-web loads and runs with each Linear scheme.
 */
import { describe, expect, it } from "vitest";
import { GraphBuilder, type LinearScheme } from "../../../src/convert/onnx/graph-builder.ts";
import { DataType, encodeModel } from "../../../src/convert/onnx/model-proto.ts";
import { ProtoWriter } from "../../../src/convert/onnx/wire.ts";
import { quantizeRows } from "../../../src/model/quantize.ts";
import { createSession, float32Tensor } from "../../../src/ort/ort.ts";

describe("ProtoWriter", () => {
  it("encodes varints, negative int64, floats and nested bytes", () => {
    expect([...new ProtoWriter().int(1, 300).finish()]).toEqual([0x08, 0xac, 0x02]);
    expect([...new ProtoWriter().int(2, -1).finish()]).toEqual([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect([...new ProtoWriter().float(3, 1).finish()]).toEqual([0x1d, 0x00, 0x00, 0x80, 0x3f]);
    expect([...new ProtoWriter().string(4, "hi").finish()]).toEqual([0x22, 0x02, 0x68, 0x69]);
    const big = new Uint8Array(200).fill(7);
    const out = new ProtoWriter().bytes(9, big).finish();
    expect([...out.subarray(0, 3)]).toEqual([0x4a, 0xc8, 0x01]);
    expect(out.length).toBe(203);
  });
});

describe("quantizeRows", () => {
  it("uses one symmetric scale per row and keeps all-zero rows exact", () => {
    const q = quantizeRows(new Float32Array([0.5, -1, 0.25, 0, 0, 0]), 2, 3);
    expect([...q.scales]).toEqual([Math.fround(1 / 127), 1]);
    expect([...q.values]).toEqual([64, -127, 32, 0, 0, 0]);
  });
});

function tinyLinear(scheme: LinearScheme, contrib = false): Uint8Array {
  const g = new GraphBuilder("tiny", scheme, { contrib });
  const x = g.input("x", DataType.FLOAT, ["n", 3]);
  const y = g.linear("lin", x, new Float32Array([1, 2, 3, -1, 0.5, 0.25]), new Float32Array([0.1, -0.2]), 2, 3);
  g.output(y, "y", DataType.FLOAT, ["n", 2]);
  return encodeModel(g.build("tiny"));
}

describe("ONNX models from GraphBuilder", () => {
  it("are byte-identical when built twice", () => {
    expect(Buffer.from(tinyLinear("int8-dequant")).equals(Buffer.from(tinyLinear("int8-dequant")))).toBe(true);
  });

  it.each([
    ["fp32", false],
    ["int8-dequant", false],
    ["int8-dynamic", false],
    ["int8-dynamic", true],
  ] as const)("run in onnxruntime-web (%s Linear, contrib ops: %s)", async (scheme, contrib) => {
    const session = await createSession(tinyLinear(scheme, contrib));
    const out = await session.run({ x: float32Tensor(new Float32Array([1, 1, 1, 2, 0, -1]), [2, 3]) });
    const y = [...(out.y?.data as Float32Array)];
    const expected = [1 + 2 + 3 + 0.1, -1 + 0.5 + 0.25 - 0.2, 2 - 3 + 0.1, -2 - 0.25 - 0.2];
    y.forEach((v, i) => expect(Math.abs(v - (expected[i] as number))).toBeLessThan(scheme === "fp32" ? 1e-6 : 0.05));
    await session.release();
  });
});
