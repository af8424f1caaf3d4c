/**
 * @module test/unit/model/generality
 * Converter + runtime on synthetic checkpoints of various ALBERT configurations, each checked
 * against the independent fp32 reference (test/support/reference-albert.ts): hidden groups
 * with an uneven layer schedule and erf gelu, inner_group_num 2 with relu, multi-label
 * (sigmoid, default LABEL_i names), a bare AlbertModel (no head, unprefixed tensor names),
 * and F16 / BF16 weights — on both engines (ours, and onnxruntime-web). fp32 shards run in
 * fp32 on both (our engine's fp32 precision) and are held to the fp32 tolerance.
 * Small vocabularies keep these fast.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AlbertModel } from "../../../src/model/model.ts";
import { generateCheckpoint, SMALL_SHAPE, type GenerateOptions, type GeneratedCheckpoint } from "../../support/checkpoint-generator.ts";
import { argmaxOf, convertQuietly, loadWithIds, maxAbsDiff, randomIds } from "../../support/model-helpers.ts";
import { tempDir } from "../../support/paths.ts";
import { Rng } from "../../support/random.ts";
import { referenceForward } from "../../support/reference-albert.ts";

const FP32_TOLERANCE = 1e-4;
const INT8_TOLERANCE = 0.05;

interface Case {
  name: string;
  options: GenerateOptions;
}

const cases: Case[] = [
  {
    name: "2 hidden groups over 5 layers (schedule 0 0 0 1 1), gelu (erf), 3 named labels",
    options: { shape: { ...SMALL_SHAPE, num_hidden_groups: 2, num_hidden_layers: 5, hidden_act: "gelu" }, numLabels: 3, labelNames: ["neg", "neu", "pos"], seed: 11 },
  },
  {
    name: "inner_group_num 2, relu, 3 groups over 3 layers",
    options: { shape: { ...SMALL_SHAPE, inner_group_num: 2, num_hidden_groups: 3, hidden_act: "relu" }, numLabels: 2, seed: 12 },
  },
  {
    name: "multi-label (problem_type multi_label_classification), 4 default-named labels",
    options: { shape: SMALL_SHAPE, numLabels: 4, problemType: "multi_label_classification", seed: 13 },
  },
  {
    name: "AlbertModel without a head, tensor names without the albert. prefix",
    options: { shape: SMALL_SHAPE, seed: 14 },
  },
  {
    name: "F16 weights",
    options: { shape: SMALL_SHAPE, numLabels: 2, dtype: "F16", seed: 15 },
  },
  {
    name: "BF16 weights, unprefixed names, classifier",
    options: { shape: SMALL_SHAPE, numLabels: 3, dtype: "BF16", prefix: false, seed: 16 },
  },
];

describe("synthetic ALBERT checkpoints vs the independent reference", () => {
  const tmp = tempDir("generality");
  afterAll(() => tmp.cleanup());

  it.each(cases.map((c, i) => [c.name, i] as const))("%s", async (_name, index) => {
    const c = cases[index] as Case;
    const ck: GeneratedCheckpoint = generateCheckpoint(join(tmp.dir, `ck${index}`), c.options);
    const rng = new Rng(100 + index);
    const inputs = [3, 7, 16, 33].map((n) => randomIds(() => rng.next(), ck.shape.vocab_size, n));
    const expected = inputs.map((ids) => referenceForward(ck.weights, ck.shape, ids));
    const headless = ck.numLabels === undefined;

    for (const kind of ["fp32", "int8"] as const) {
      const out = join(tmp.dir, `ck${index}-${kind}`);
      await convertQuietly(ck.dir, out, { fp32: kind === "fp32" });
      for (const engine of ["ort", "wasm"] as const) {
        const tolerance = kind === "fp32" ? FP32_TOLERANCE : INT8_TOLERANCE;
        const model: AlbertModel = await loadWithIds(out, { engine });
        try {
          const m = model.manifest;
          expect(m.config.num_hidden_groups).toBe(ck.shape.num_hidden_groups);
          expect(m.shards.filter((s) => s.role === "block")).toHaveLength(ck.shape.num_hidden_groups);
          let maxDelta = 0;
          let agree = 0;
          for (const [i, ids] of inputs.entries()) {
            const ref = expected[i] ?? { pooled: [], logits: undefined, mean: [] };
            const got = await model.forward(ids);
            maxDelta = Math.max(maxDelta, maxAbsDiff(got.pooled ?? [], ref.pooled));
            if (headless) maxDelta = Math.max(maxDelta, maxAbsDiff(got.mean ?? [], ref.mean));
            if (!headless) {
              const logits = got.logits ?? [];
              maxDelta = Math.max(maxDelta, maxAbsDiff(logits, ref.logits ?? []));
              if (argmaxOf(logits) === argmaxOf(ref.logits ?? [])) agree++;
            }
          }
          console.log(`[generality] ${c.name} — ${kind} on ${model.engine}: max |Δ| (logits, pooled${headless ? ", mean" : ""}) = ${maxDelta.toExponential(3)}` + (headless ? "" : `, argmax ${agree}/${inputs.length}`));
          expect(maxDelta).toBeLessThanOrEqual(tolerance);

          if (headless) {
            expect(m.task).toBe("feature_extraction");
            expect(m.labels).toEqual([]);
            expect(m.pooling).toBe("mean"); // the converter's default for AlbertModel
            await expect(model.classify(["5 6"])).rejects.toThrow(/feature_extraction/);
            const embedded = await model.embed(inputs.map((ids) => ids.slice(1, -1).join(" ")));
            embedded.forEach((e, i) => expect(maxAbsDiff(e.embedding, expected[i]?.mean ?? [])).toBeLessThanOrEqual(tolerance));
            continue;
          }
          // classify(): batched (sorted, padded, masked) must match the unpadded reference too.
          const results = await model.classify(inputs.map((ids) => ids.slice(1, -1).join(" ")));
          const multi = c.options.problemType === "multi_label_classification";
          expect(m.task).toBe(multi ? "multi_label_classification" : "single_label_classification");
          expect(m.labels).toEqual(c.options.labelNames ?? Array.from({ length: ck.numLabels ?? 0 }, (_, i) => `LABEL_${i}`));
          results.forEach((r, i) => {
            const refLogits = expected[i]?.logits ?? [];
            expect(maxAbsDiff(r.logits, refLogits)).toBeLessThanOrEqual(tolerance);
            expect(r.tokens).toBe(inputs[i]?.length);
            const probs = Object.values(r.scores);
            if (multi) {
              probs.forEach((p, j) => expect(p).toBeCloseTo(1 / (1 + Math.exp(-(r.logits[j] as number))), 6));
            } else {
              expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
            }
            expect(r.label).toBe(m.labels[argmaxOf(r.logits)]);
            expect(r.score).toBe(Math.max(...probs));
          });
        } finally {
          await model.dispose();
        }
      }
    }
  });
});
