/**
 * @module test/unit/model/runtime
 * Runtime behaviour on a small synthetic model: classify() over many texts gives the same logits
 * as one-at-a-time runs in input order (a text's result never depends on its batch-mates), truncation at the manifest max_length,
 * per-result and per-call timings, id validation (our engine and ORT), ORT's int8 weight folding
 * on/off agreeing, and releaseTensor freeing a block output's buffer at once (only when the tensor owns all of it).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModel, type AlbertModel } from "../../../src/model/model.ts";
import { fsShardSource } from "../../../src/node/fs-shard-source.ts";
import { ortEngine } from "../../../src/ort/engine.ts";
import { ort, releaseTensor } from "../../../src/ort/ort.ts";
import { generateCheckpoint, SMALL_SHAPE } from "../../support/checkpoint-generator.ts";
import { convertQuietly, idsTokenizer, loadWithIds, maxAbsDiff, randomIds } from "../../support/model-helpers.ts";
import { tempDir } from "../../support/paths.ts";
import { Rng } from "../../support/random.ts";

const tmp = tempDir("runtime");
let dir: string;
let model: AlbertModel;
const rng = new Rng(5);
const texts = [5, 40, 2, 17, 64, 9, 33, 3, 120, 12].map((n) => randomIds(() => rng.next(), SMALL_SHAPE.vocab_size, n).slice(1, -1).join(" "));

beforeAll(async () => {
  const ck = generateCheckpoint(join(tmp.dir, "ck"), { shape: SMALL_SHAPE, numLabels: 3, seed: 21 });
  dir = join(tmp.dir, "model");
  await convertQuietly(ck.dir, dir);
  model = await loadWithIds(dir);
});
afterAll(async () => {
  await model.dispose();
  tmp.cleanup();
});

describe("AlbertModel runtime", () => {
  it("classify over many texts equals one-at-a-time runs, in input order", async () => {
    const results = await model.classify(texts);
    expect(results).toHaveLength(texts.length);
    for (const [i, text] of texts.entries()) {
      const alone = await model.forward(model.tokenize(text).ids);
      expect(results[i]?.logits).toEqual(Array.from(alone.logits ?? []));
    }
  });

  it("truncates at the manifest max_length, keeping [CLS] first and [SEP] last", async () => {
    const max = model.manifest.tokenizer.max_length;
    expect(max).toBe(SMALL_SHAPE.max_position_embeddings);
    const results = await model.classify(texts);
    results.forEach((r, i) => {
      const text = texts[i] as string;
      const n = (text === "" ? 0 : text.split(" ").length) + 2;
      expect(r.tokens).toBe(Math.min(n, max));
      expect(r.truncated).toBe(n > max);
    });
    const enc = model.tokenize(texts[8] as string);
    expect(enc.ids).toHaveLength(max);
    expect([enc.ids[0], enc.ids[max - 1]]).toEqual([2, 3]);
  });

  it("reports per-result timings that sum to the call's totals, and JSON shows only results", async () => {
    const results = await model.classify(texts.slice(0, 3));
    const sum = results.reduce((a, r) => ({ t: a.t + r.timings.tokenizeMs, m: a.m + r.timings.modelMs }), { t: 0, m: 0 });
    expect(results.timings.tokenizeMs).toBeCloseTo(sum.t, 9);
    expect(results.timings.modelMs).toBeCloseTo(sum.m, 9);
    expect(results.timings.modelMs).toBeGreaterThan(0);
    expect(results.results).toBe(results);
    expect(JSON.parse(JSON.stringify(results))).toHaveLength(3);
    expect(await model.classify([])).toEqual([]);
  });

  it.each(["wasm", "ort"] as const)("%s: rejects ids outside the vocabulary, bad token types and over-long sequences", async (engine) => {
    const m = engine === "wasm" ? model : await loadWithIds(dir, { engine });
    try {
      await expect(m.forward([2, SMALL_SHAPE.vocab_size, 3])).rejects.toThrow(/outside \[0, 1000\)/);
      await expect(m.forward([2, -1, 3])).rejects.toThrow(/outside \[0, 1000\)/);
      await expect(m.forward([2, 5, 3], [0, 2, 0])).rejects.toThrow(/token type 2 outside/);
      await expect(m.forward([])).rejects.toThrow(/empty/);
      await expect(m.forward(Array.from({ length: SMALL_SHAPE.max_position_embeddings + 1 }, () => 5))).rejects.toThrow(/exceeds max_position_embeddings/);
      expect((await m.forward([2, 5, 3])).logits).toHaveLength(3);
    } finally {
      if (m !== model) await m.dispose();
    }
  });

  it("ORT, weight-only int8: folding DequantizeLinear at load changes nothing but speed", async () => {
    const dequant = join(tmp.dir, "dequant");
    await convertQuietly(join(tmp.dir, "ck"), dequant, { int8Matmul: "dequantize" });
    const folded = await createModel(fsShardSource(dequant), { tokenizer: idsTokenizer, engine: ortEngine() });
    const unfolded = await createModel(fsShardSource(dequant), { tokenizer: idsTokenizer, engine: ortEngine({ foldInt8Weights: false }) });
    try {
      const ids = texts.slice(0, 4).map((t) => model.tokenize(t).ids);
      for (const seq of ids) {
        const a = await folded.forward(seq);
        const b = await unfolded.forward(seq);
        expect(maxAbsDiff(a.logits ?? [], b.logits ?? [])).toBeLessThan(1e-5);
      }
    } finally {
      await folded.dispose();
      await unfolded.dispose();
    }
  });

  it("releaseTensor detaches a buffer the tensor owns, and only disposes views into shared memory", () => {
    const owned = new Float32Array(1024).fill(1);
    releaseTensor(new ort.Tensor("float32", owned, [1, 4, 256]));
    expect(owned.buffer.byteLength).toBe(0);
    expect(owned.length).toBe(0);

    const shared = new Float32Array(2048).fill(2);
    const view = shared.subarray(0, 1024);
    releaseTensor(new ort.Tensor("float32", view, [1, 4, 256]));
    expect(shared.buffer.byteLength).toBe(2048 * 4);
    expect(shared[0]).toBe(2);
  });
});
