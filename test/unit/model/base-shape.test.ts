/**
 * @module test/unit/model/base-shape
 * An albert-base-v2-shaped checkpoint (V 30000, E 128, H 768, 12 heads, I 3072, 12 layers, one
 * shared group; random weights, std 0.02): converts to ≤ 13 MB of int8 shards with the shared
 * block stored once (~1/12 of an unrolled encoder) and the embedding kept factorized (V×E);
 * fp32 conversion splits the > 25 MiB block into parts; every format matches the reference on both
 * engines (both run fp32 shards in fp32 and are held to 1e-3 there).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_SHARD_BYTES, type Manifest } from "../../../src/model/manifest.ts";
import { BASE_SHAPE, generateCheckpoint, type GeneratedCheckpoint } from "../../support/checkpoint-generator.ts";
import { argmaxOf, convertQuietly, loadWithIds, maxAbsDiff, randomIds } from "../../support/model-helpers.ts";
import { tempDir } from "../../support/paths.ts";
import { Rng } from "../../support/random.ts";
import { referenceForward, type ReferenceOutput } from "../../support/reference-albert.ts";
import { readFileSync } from "node:fs";

const MB = 1_000_000;

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
}

describe("albert-base-v2-shaped checkpoint", () => {
  const tmp = tempDir("base");
  let ck: GeneratedCheckpoint;
  let inputs: number[][] = [];
  let expected: ReferenceOutput[] = [];

  beforeAll(() => {
    ck = generateCheckpoint(join(tmp.dir, "ck"), { shape: BASE_SHAPE, numLabels: 2, labelNames: ["a", "b"], seed: 7 });
    const rng = new Rng(77);
    inputs = [9, 23].map((n) => randomIds(() => rng.next(), BASE_SHAPE.vocab_size, n));
    expected = inputs.map((ids) => referenceForward(ck.weights, ck.shape, ids));
  });
  afterAll(() => tmp.cleanup());

  it("int8: ≤ 13 MB in total, block stored once (~1/12 of unrolled), factorized embedding; matches the reference", async () => {
    const out = join(tmp.dir, "int8");
    await convertQuietly(ck.dir, out);
    const m = readManifest(out);
    const { vocab_size: V, embedding_size: E, hidden_size: H, intermediate_size: I, num_hidden_layers: L } = BASE_SHAPE;
    const bytesOf = (role: string): number => m.shards.filter((s) => s.role === role).reduce((n, s) => n + s.bytes, 0);
    const total = m.shards.reduce((n, s) => n + s.bytes, 0);
    const block = bytesOf("block");
    // What an unrolled int8 encoder holds: L copies of the layer (int8 weights, fp32 scales, biases, LayerNorms).
    const perLayer = 4 * H * H + 2 * H * I + 4 * (4 * H + I + H) + 4 * (4 * H + I + H) + 4 * 4 * H;
    const unrolled = L * perLayer;
    console.log(
      `[size] base-shaped int8: total ${(total / MB).toFixed(2)} MB (${total} B) = embeddings ${(bytesOf("embeddings") / MB).toFixed(2)} MB + ` +
        `block ${(block / MB).toFixed(2)} MB + head ${(bytesOf("head") / MB).toFixed(2)} MB + tokenizer ${(bytesOf("tokenizer") / MB).toFixed(2)} MB; ` +
        `unrolled ${L}-layer estimate ${(unrolled / MB).toFixed(1)} MB → block/unrolled = 1/${(unrolled / block).toFixed(2)}; ` +
        `safetensors fp32 input ${(ck.safetensorsBytes / MB).toFixed(1)} MB`,
    );
    expect(total).toBeLessThanOrEqual(13 * MB);
    expect(m.shards.filter((s) => s.role === "block")).toHaveLength(1);
    expect(unrolled / block).toBeGreaterThan(11.5);
    expect(unrolled / block).toBeLessThan(12.5);
    // Factorized: the word table stays V×E int8 (never V×H).
    expect(bytesOf("embeddings")).toBeLessThan(V * E * 1.1 + 512 * E * 1.1 + 4 * E * H + 65536);
    expect(bytesOf("embeddings")).toBeLessThan(V * H);
    for (const s of m.shards) expect(s.bytes).toBeLessThanOrEqual(MAX_SHARD_BYTES);

    for (const engine of ["wasm", "ort"] as const) {
      const model = await loadWithIds(out, { engine });
      try {
        let maxDelta = 0;
        for (const [i, ids] of inputs.entries()) {
          const logits = (await model.forward(ids)).logits ?? [];
          const ref = expected[i]?.logits ?? [];
          maxDelta = Math.max(maxDelta, maxAbsDiff(logits, ref));
          expect(argmaxOf(logits)).toBe(argmaxOf(ref));
        }
        console.log(`[generality] base-shaped int8 on ${model.engine}: max |Δlogit| = ${maxDelta.toExponential(3)} (reference logits ${JSON.stringify(expected.map((e) => e.logits?.map((v) => +v.toFixed(4))))})`);
        expect(maxDelta).toBeLessThanOrEqual(0.05);
      } finally {
        await model.dispose();
      }
    }
  });

  it("int8 weight-only (--int8-matmul dequantize): same sizes, matches the reference", async () => {
    const out = join(tmp.dir, "int8-dequantize");
    await convertQuietly(ck.dir, out, { int8Matmul: "dequantize" });
    const m = readManifest(out);
    expect(m.int8_matmul).toBe("dequantize");
    expect(m.shards.reduce((n, s) => n + s.bytes, 0)).toBeLessThanOrEqual(13 * MB);
    for (const engine of ["wasm", "ort"] as const) {
      const model = await loadWithIds(out, { engine });
      try {
        let maxDelta = 0;
        for (const [i, ids] of inputs.entries()) maxDelta = Math.max(maxDelta, maxAbsDiff((await model.forward(ids)).logits ?? [], expected[i]?.logits ?? []));
        console.log(`[generality] base-shaped int8 dequantize on ${model.engine}: max |Δlogit| = ${maxDelta.toExponential(3)}`);
        expect(maxDelta).toBeLessThanOrEqual(0.05);
      } finally {
        await model.dispose();
      }
    }
  });

  it("fp32: the 28 MB block is split into ≤ 25 MiB parts, reassembled at load, and matches the reference", async () => {
    const out = join(tmp.dir, "fp32");
    await convertQuietly(ck.dir, out, { fp32: true });
    const m = readManifest(out);
    const parts = m.shards.filter((s) => s.role === "block");
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => i));
    for (const s of m.shards) expect(s.bytes).toBeLessThanOrEqual(MAX_SHARD_BYTES);
    for (const engine of ["ort", "wasm"] as const) {
      const model = await loadWithIds(out, { engine });
      try {
        let maxDelta = 0;
        for (const [i, ids] of inputs.entries()) maxDelta = Math.max(maxDelta, maxAbsDiff((await model.forward(ids)).logits ?? [], expected[i]?.logits ?? []));
        console.log(`[generality] base-shaped fp32 (block in ${parts.length} parts) on ${model.engine}: max |Δlogit| = ${maxDelta.toExponential(3)}`);
        expect(maxDelta).toBeLessThanOrEqual(1e-3);
      } finally {
        await model.dispose();
      }
    }
  });
});
