/**
 * @module test/unit/model/parity-sst2-mini
 * Parity with the independent fp32 reference on ../shared: convert albert-sst2-mini (fp32 and
 * int8) into temp dirs and classify the 300 golden texts end to end (real tokenizer, every text
 * alone at its own length). fp32: max |Δlogit| ≤ 1e-3; int8: same argmax on ≥ 99%, max
 * |Δlogit| ≤ 0.25 — for the default (int8 dynamic, fused graph), weight-only int8
 * (`--int8-matmul dequantize`) and int8 dynamic in a plain-ONNX graph (`--graph plain`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel, type AlbertModel } from "../../../src/model/index.ts";
import { fsShardSource } from "../../../src/node/fs-shard-source.ts";
import { argmaxOf, convertQuietly, maxAbsDiff } from "../../support/model-helpers.ts";
import { sharedAvailable, sst2MiniDir, sst2MiniGolden, tempDir } from "../../support/paths.ts";

interface Golden {
  text: string;
  ids: number[];
  logits: number[];
  label: number;
}

describe.skipIf(!sharedAvailable())("albert-sst2-mini parity with the fp32 reference", () => {
  const tmp = tempDir("parity");
  let golden: Golden[] = [];
  const models: Record<"fp32" | "int8" | "int8-dequantize" | "int8-plain", AlbertModel | undefined> = { fp32: undefined, int8: undefined, "int8-dequantize": undefined, "int8-plain": undefined };

  beforeAll(async () => {
    golden = readFileSync(sst2MiniGolden, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Golden);
    await convertQuietly(sst2MiniDir, join(tmp.dir, "fp32"), { fp32: true });
    await convertQuietly(sst2MiniDir, join(tmp.dir, "int8"));
    models.fp32 = await loadModel(fsShardSource(join(tmp.dir, "fp32")));
    models.int8 = await loadModel(fsShardSource(join(tmp.dir, "int8")));
    await convertQuietly(sst2MiniDir, join(tmp.dir, "int8-dequantize"), { int8Matmul: "dequantize" });
    models["int8-dequantize"] = await loadModel(fsShardSource(join(tmp.dir, "int8-dequantize")));
    await convertQuietly(sst2MiniDir, join(tmp.dir, "int8-plain"), { graph: "plain" });
    models["int8-plain"] = await loadModel(fsShardSource(join(tmp.dir, "int8-plain")));
  });
  afterAll(async () => {
    for (const m of Object.values(models)) await m?.dispose();
    tmp.cleanup();
  });

  it("tokenizes the golden texts to the golden ids (truncated to 512)", () => {
    const model = models.fp32 as AlbertModel;
    const bad = golden.filter((g) => JSON.stringify(model.tokenize(g.text).ids) !== JSON.stringify(g.ids));
    expect(bad.map((g) => g.text.slice(0, 60))).toEqual([]);
    expect(golden.some((g) => model.tokenize(g.text).truncated)).toBe(true);
  });

  it.each(["fp32", "int8", "int8-dequantize", "int8-plain"] as const)("%s: classify(texts) matches the golden logits", async (kind) => {
    const model = models[kind] as AlbertModel;
    const started = performance.now();
    const results = await model.classify(golden.map((g) => g.text));
    const ms = performance.now() - started;
    let maxDelta = 0;
    let agree = 0;
    results.forEach((r, i) => {
      const g = golden[i] as Golden;
      maxDelta = Math.max(maxDelta, maxAbsDiff(r.logits, g.logits));
      if (argmaxOf(r.logits) === argmaxOf(g.logits)) agree++;
      expect(r.tokens).toBe(g.ids.length);
      expect(r.label).toBe(model.manifest.labels[argmaxOf(r.logits)]);
    });
    const agreement = agree / golden.length;
    console.log(
      `[parity] albert-sst2-mini ${kind}: max |Δlogit| = ${maxDelta.toExponential(3)}, argmax agreement ${agree}/${golden.length} ` +
        `(${(agreement * 100).toFixed(2)}%), ${golden.length} texts in ${(ms / 1000).toFixed(1)} s ` +
        `(tokenize ${results.timings.tokenizeMs.toFixed(0)} ms, model ${results.timings.modelMs.toFixed(0)} ms)`,
    );
    if (kind === "fp32") {
      expect(maxDelta).toBeLessThanOrEqual(1e-3);
      expect(agree).toBe(golden.length);
    } else {
      expect(maxDelta).toBeLessThanOrEqual(0.25);
      expect(agreement).toBeGreaterThanOrEqual(0.99);
    }
  });

  it("fp32: run(golden ids) one sequence at a time matches the golden logits", async () => {
    const model = models.fp32 as AlbertModel;
    let maxDelta = 0;
    for (const g of golden.slice(0, 100)) {
      const [logits] = await model.run([g.ids]);
      maxDelta = Math.max(maxDelta, maxAbsDiff(logits ?? [], g.logits));
    }
    console.log(`[parity] albert-sst2-mini fp32 run(ids), unbatched, 100 texts: max |Δlogit| = ${maxDelta.toExponential(3)}`);
    expect(maxDelta).toBeLessThanOrEqual(1e-3);
  });
});
