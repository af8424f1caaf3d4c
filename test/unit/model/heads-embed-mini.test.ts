/**
 * @module test/unit/model/heads-embed-mini
 * Embeddings (AlbertModel: pooler, no head) against the fp32 reference on ../shared:
 * albert-embed-mini in fp32 and int8 shards, the 72 golden id sequences through `model.run` on
 * both engines, which give `mean` (over every position, [CLS]/[SEP] included) and `pooled`
 * (tanh(pooler([CLS]))). fp32: every component within 1e-3. int8: cosine ≥ 0.99 with the
 * golden for both vectors, and between the engines. embed() returns the manifest's pooling:
 * mean by default, cls when converted with `pooling: "cls"`.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlbertModel, SequenceOutput } from "../../../src/model/index.ts";
import { loadModelDir } from "../../../src/node/load-model.ts";
import { cosine, ENGINES, FORMS, loadForms, readJsonl } from "../../support/heads-golden.ts";
import { convertQuietly, maxAbsDiff } from "../../support/model-helpers.ts";
import { sharedCheckpoint, sharedGolden, sharedPairAvailable, tempDir } from "../../support/paths.ts";

interface Golden {
  text: string;
  ids: number[];
  mean: number[];
  pooled: number[];
}

describe.skipIf(!sharedPairAvailable("albert-embed-mini", "albert-embed-mini.jsonl"))("albert-embed-mini: embeddings vs the fp32 reference", () => {
  const tmp = tempDir("heads-embed");
  let golden: Golden[] = [];
  let models = new Map<string, AlbertModel>();
  const outputs = new Map<string, SequenceOutput[]>();

  beforeAll(async () => {
    golden = readJsonl<Golden>(sharedGolden("albert-embed-mini.jsonl"));
    models = await loadForms("albert-embed-mini", tmp.dir);
    for (const [key, m] of models) outputs.set(key, await m.run(golden.map((g) => ({ ids: g.ids }))));
  }, 300_000);
  afterAll(async () => {
    for (const m of models.values()) await m.dispose();
    tmp.cleanup();
  });

  it("converts to feature_extraction with mean pooling by default", () => {
    for (const m of models.values()) {
      expect(m.manifest.task).toBe("feature_extraction");
      expect(m.manifest.labels).toEqual([]);
      expect(m.manifest.pooling).toBe("mean");
    }
  });

  it.each(FORMS.flatMap((f) => ENGINES.map((e) => [f, e] as const)))("%s shards on %s: mean and pooled", (form, engine) => {
    const got = outputs.get(`${form}/${engine}`)!;
    let maxDelta = 0;
    let minMean = 1;
    let minPooled = 1;
    golden.forEach((g, i) => {
      const out = got[i]!;
      maxDelta = Math.max(maxDelta, maxAbsDiff(out.mean!, g.mean), maxAbsDiff(out.pooled!, g.pooled));
      minMean = Math.min(minMean, cosine(out.mean!, g.mean));
      minPooled = Math.min(minPooled, cosine(out.pooled!, g.pooled));
    });
    console.log(`[heads] albert-embed-mini ${form} on ${models.get(`${form}/${engine}`)!.engine}: max |Δ| ${maxDelta.toExponential(3)}, min cosine mean ${minMean.toFixed(5)}, pooled ${minPooled.toFixed(5)}`);
    if (form === "fp32") expect(maxDelta).toBeLessThanOrEqual(1e-3);
    expect(minMean).toBeGreaterThanOrEqual(0.99);
    expect(minPooled).toBeGreaterThanOrEqual(0.99);
  });

  it("both engines give the same vectors on int8 shards (cosine ≥ 0.99)", () => {
    const a = outputs.get("int8/wasm")!;
    const b = outputs.get("int8/ort")!;
    let min = 1;
    golden.forEach((_, i) => (min = Math.min(min, cosine(a[i]!.mean!, b[i]!.mean!), cosine(a[i]!.pooled!, b[i]!.pooled!))));
    console.log(`[heads] albert-embed-mini int8: min cosine between engines ${min.toFixed(5)}`);
    expect(min).toBeGreaterThanOrEqual(0.99);
  });

  it("fp32 shards on the plain SIMD128 kernel build match too", async () => {
    const m = await loadModelDir(join(tmp.dir, "albert-embed-mini-fp32"), { kernel: "simd128" });
    try {
      expect(m.engine).toBe("wasm-simd/simd128+fp32");
      const out = await m.run(golden.slice(0, 12).map((g) => ({ ids: g.ids })));
      const worst = Math.max(...out.map((o, i) => Math.max(maxAbsDiff(o.mean!, golden[i]!.mean), maxAbsDiff(o.pooled!, golden[i]!.pooled))));
      expect(worst).toBeLessThanOrEqual(1e-3);
    } finally {
      await m.dispose();
    }
  });

  it("embed(texts) returns the mean vector, and the pooled [CLS] once converted with pooling cls", async () => {
    const m = models.get("fp32/wasm")!;
    const texts = golden.slice(0, 5).map((g) => g.text);
    const means = await m.embed(texts);
    means.forEach((e, i) => {
      expect(e.tokens).toBe(golden[i]!.ids.length);
      expect(maxAbsDiff(e.embedding, golden[i]!.mean)).toBeLessThanOrEqual(1e-3);
    });
    await expect(m.classify(texts)).rejects.toThrow(/feature_extraction/);

    const clsDir = join(tmp.dir, "cls");
    await convertQuietly(sharedCheckpoint("albert-embed-mini"), clsDir, { fp32: true, pooling: "cls" });
    const cls = await loadModelDir(clsDir);
    try {
      expect(cls.manifest.pooling).toBe("cls");
      expect(cls.manifest.version).not.toBe(m.manifest.version);
      const pooled = await cls.embed(texts);
      pooled.forEach((e, i) => expect(maxAbsDiff(e.embedding, golden[i]!.pooled)).toBeLessThanOrEqual(1e-3));
    } finally {
      await cls.dispose();
    }
  });
});
