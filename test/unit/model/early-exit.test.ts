/**
 * @module test/unit/model/early-exit
 * Adaptive depth (PABEE) end to end on a synthetic checkpoint with one shared block: the stopping
 * rule itself; the converter's `earlyExitPatience` in the manifest and the content version; both
 * engines stopping exactly where the rule says on their own per-layer logits, which come from
 * the same shards with the manifest cut to l layers (one shared block: the state after layer l),
 * and answering that layer's logits (the per-layer arithmetic itself is held to the independent
 * reference by the parity and generality tests);
 * a run's own `patience` replacing the manifest's (on a model without `early_exit` too);
 * `fullDepth` restoring the plain model's answers; and several texts in one run stopping each on
 * its own, bit-identical to running them alone. Multi-label models compare the label sets their
 * manifest `thresholds` give (0.5 where none), in the rule and in both engines.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCutoffs, ExitTracker } from "../../../src/model/early-exit.ts";
import { parseManifest } from "../../../src/model/manifest.ts";
import type { AlbertModel } from "../../../src/model/model.ts";
import { generateCheckpoint, SMALL_SHAPE, type GeneratedCheckpoint } from "../../support/checkpoint-generator.ts";
import { convertQuietly, loadWithIds, randomIds } from "../../support/model-helpers.ts";
import { tempDir } from "../../support/paths.ts";
import { Rng } from "../../support/random.ts";

describe("PABEE stopping rule", () => {
  it("stops once the prediction has held for `patience` layers", () => {
    const run = (patience: number, preds: number[][], task: "single_label_classification" | "multi_label_classification" = "single_label_classification", thresholds?: Record<string, number>) => {
      const t = new ExitTracker(patience, exitCutoffs({ task, labels: ["a", "b"], ...(thresholds === undefined ? {} : { thresholds }) }));
      return preds.findIndex((l) => t.update(l)) + 1; // layers run; 0 = never
    };
    expect(run(1, [[1, 0], [1, 0], [0, 1]])).toBe(2);
    expect(run(2, [[1, 0], [0, 1], [0, 1], [0, 1]])).toBe(4);
    expect(run(2, [[1, 0], [1, 0], [0, 1], [0, 2]])).toBe(0);
    // Multi-label: the set of labels over 0.5 (logit > 0) must hold.
    expect(run(1, [[1, -1], [2, -3], [1, 1]], "multi_label_classification")).toBe(2);
    expect(run(1, [[1, -1], [1, 1], [1, 2]], "multi_label_classification")).toBe(3);
    // With thresholds: "a" needs 0.75 (logit ln 3 ≈ 1.10), so [1, -1] and [2, -3] differ; "b" at 0.1 (logit ≈ -2.20).
    expect(run(1, [[1, -1], [2, -3], [2, -3]], "multi_label_classification", { a: 0.75 })).toBe(3);
    expect(run(1, [[1, -1], [2, -1], [2, -3]], "multi_label_classification")).toBe(2);
    expect(run(1, [[1, -1], [2, -1], [2, -3]], "multi_label_classification", { a: 0.75, b: 0.1 })).toBe(0);
    expect(run(1, [[1, -2], [1, -1], [2, -3]], "multi_label_classification", { b: 0.1 })).toBe(2);
  });
});

/** The shards of `src` with the manifest cut to `l` layers (one shared block: the state after layer l), in `dir`. */
function cutLayers(src: string, dir: string, l: number): string {
  if (existsSync(dir)) return dir;
  mkdirSync(dir);
  const manifest = JSON.parse(readFileSync(join(src, "manifest.json"), "utf8"));
  for (const shard of manifest.shards) copyFileSync(join(src, shard.file), join(dir, shard.file));
  manifest.config.num_hidden_layers = l;
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  return dir;
}

describe("early exit in both engines", () => {
  const tmp = tempDir("early-exit");
  const LAYERS = 8;
  const PATIENCE = 2;
  const shape = { ...SMALL_SHAPE, num_hidden_layers: LAYERS };
  let inputs: number[][] = [];
  const plainDir = () => join(tmp.dir, "plain");
  const exitDir = () => join(tmp.dir, "exit");

  beforeAll(async () => {
    const ck: GeneratedCheckpoint = generateCheckpoint(join(tmp.dir, "ck"), { shape, numLabels: 3, seed: 31, std: 0.3 });
    await convertQuietly(ck.dir, plainDir());
    await convertQuietly(ck.dir, exitDir(), { earlyExitPatience: PATIENCE });
    const rng = new Rng(9);
    inputs = Array.from({ length: 24 }, (_, i) => randomIds(() => rng.next(), shape.vocab_size, 4 + ((i * 7) % 40)));
  });
  afterAll(() => tmp.cleanup());

  it("writes the setting into the manifest and the content version; refuses it without a classifier", () => {
    const plain = JSON.parse(readFileSync(join(plainDir(), "manifest.json"), "utf8"));
    const exit = JSON.parse(readFileSync(join(exitDir(), "manifest.json"), "utf8"));
    expect(exit.early_exit).toEqual({ patience: PATIENCE });
    expect(plain.early_exit).toBeUndefined();
    expect(exit.shards).toEqual(plain.shards);
    expect(exit.version).not.toBe(plain.version);
    expect(() => parseManifest({ ...exit, early_exit: { patience: 0 } })).toThrow(/early_exit.patience/);
    expect(() => parseManifest({ ...exit, task: "feature_extraction", labels: [], early_exit: { patience: 2 } })).toThrow(/classifier head/);
  });

  const cutDir = (l: number): string => cutLayers(plainDir(), join(tmp.dir, `cut${l}`), l);

  it.each(["wasm", "ort"] as const)("%s: stops where the rule says on its own per-layer logits, answering that layer's; fullDepth = the plain model", async (engine) => {
    const model: AlbertModel = await loadWithIds(exitDir(), { engine });
    const plain: AlbertModel = await loadWithIds(plainDir(), { engine });
    const cuts: AlbertModel[] = [];
    for (let l = 1; l <= LAYERS; l++) cuts.push(await loadWithIds(cutDir(l), { engine }));
    try {
      const seen = new Set<number>();
      for (const ids of inputs) {
        const perLayer = await Promise.all(cuts.map(async (m) => Array.from((await m.forward(ids)).logits ?? [])));
        const tracker = new ExitTracker(PATIENCE, undefined);
        const expected = perLayer.findIndex((l) => tracker.update(l)) + 1 || LAYERS;
        const got = await model.forward(ids);
        expect(got.layers).toBe(expected);
        expect(Array.from(got.logits ?? [])).toEqual(perLayer[expected - 1]);
        seen.add(expected);
        for (const patience of [1, 3]) {
          // A run's own patience (options.patience) replaces the manifest's, on the plain model too.
          const t = new ExitTracker(patience, undefined);
          const stop = perLayer.findIndex((l) => t.update(l)) + 1 || LAYERS;
          for (const m of [model, plain]) {
            const out = await m.forward(ids, undefined, { patience });
            expect(out.layers).toBe(stop);
            expect(Array.from(out.logits ?? [])).toEqual(perLayer[stop - 1]);
          }
        }
        const full = await model.forward(ids, undefined, { fullDepth: true });
        expect(full.layers).toBe(LAYERS);
        expect(Array.from(full.logits ?? [])).toEqual(Array.from((await plain.forward(ids)).logits ?? []));
      }
      console.log(`[early-exit] ${model.engine}: exit layers seen ${[...seen].sort().join(", ")} over ${inputs.length} inputs`);
      expect([...seen].some((l) => l < LAYERS)).toBe(true);
    } finally {
      for (const m of [model, plain, ...cuts]) await m.dispose();
    }
  });

  it("wasm: texts in one run stop each on its own, bit-identical to running alone", async () => {
    const model = await loadWithIds(exitDir());
    try {
      const texts = inputs.map((ids) => ids.slice(1, -1).join(" "));
      const together = await model.classify(texts);
      for (const [i, ids] of inputs.entries()) {
        const alone = await model.forward(ids);
        expect(together[i]!.layers).toBe(alone.layers);
        expect(together[i]!.logits).toEqual(Array.from(alone.logits ?? []));
      }
      expect(new Set(together.map((r) => r.layers)).size).toBeGreaterThan(1);
      const full = await model.classify(texts, { fullDepth: true });
      expect(full.every((r) => r.layers === LAYERS)).toBe(true);
    } finally {
      await model.dispose();
    }
  });
});

describe("early exit with a multi-label model's thresholds, in both engines", () => {
  const tmp = tempDir("early-exit-thresholds");
  const LAYERS = 8;
  const shape = { ...SMALL_SHAPE, num_hidden_layers: LAYERS };
  const THRESHOLDS = { LABEL_0: 0.4, LABEL_1: 0.6 };
  let inputs: number[][] = [];
  let labels: string[] = [];
  const dir = (name: string) => join(tmp.dir, name);

  beforeAll(async () => {
    const ck = generateCheckpoint(dir("ck"), { shape, numLabels: 3, seed: 37, std: 0.3, problemType: "multi_label_classification" });
    await convertQuietly(ck.dir, dir("plain"));
    await convertQuietly(ck.dir, dir("exit"), { earlyExitPatience: 1, thresholds: THRESHOLDS });
    labels = JSON.parse(readFileSync(join(dir("exit"), "manifest.json"), "utf8")).labels;
    const rng = new Rng(11);
    inputs = Array.from({ length: 24 }, (_, i) => randomIds(() => rng.next(), shape.vocab_size, 4 + ((i * 5) % 40)));
  });
  afterAll(() => tmp.cleanup());

  it("the converter writes them, the version covers them, and labels the model lacks are refused", async () => {
    const m = JSON.parse(readFileSync(join(dir("exit"), "manifest.json"), "utf8"));
    expect(m.task).toBe("multi_label_classification");
    expect(m.thresholds).toEqual(THRESHOLDS);
    expect(() => parseManifest({ ...m, thresholds: { nope: 0.5 } })).toThrow(/thresholds.nope is not a label/);
    expect(() => parseManifest({ ...m, thresholds: { LABEL_0: 1.5 } })).toThrow(/thresholds.LABEL_0 must be a number in \[0, 1\]/);
    expect(() => parseManifest({ ...m, task: "single_label_classification" })).toThrow(/thresholds are only for multi_label_classification/);
    const ck = join(tmp.dir, "ck");
    await expect(convertQuietly(ck, dir("bad"), { thresholds: { nope: 0.5 } })).rejects.toThrow(/nope not a label/);
  });

  it.each(["wasm", "ort"] as const)("%s: stops where the rule with those thresholds says (not where 0.5 would)", async (engine) => {
    const model = await loadWithIds(dir("exit"), { engine });
    const cuts: AlbertModel[] = [];
    for (let l = 1; l <= LAYERS; l++) cuts.push(await loadWithIds(cutLayers(dir("plain"), dir(`cut${l}`), l), { engine }));
    try {
      let differs = 0;
      for (const ids of inputs) {
        const perLayer = await Promise.all(cuts.map(async (m) => Array.from((await m.forward(ids)).logits ?? [])));
        const stop = (thresholds?: Record<string, number>) => {
          const t = new ExitTracker(1, exitCutoffs({ task: "multi_label_classification", labels, ...(thresholds === undefined ? {} : { thresholds }) }));
          return perLayer.findIndex((l) => t.update(l)) + 1 || LAYERS;
        };
        const got = await model.forward(ids);
        expect(got.layers).toBe(stop(THRESHOLDS));
        expect(Array.from(got.logits ?? [])).toEqual(perLayer[got.layers - 1]);
        if (stop() !== stop(THRESHOLDS)) differs++;
      }
      console.log(`[early-exit] ${engine}: thresholds moved the exit on ${differs} of ${inputs.length} inputs`);
      expect(differs).toBeGreaterThan(0);
    } finally {
      for (const m of [model, ...cuts]) await m.dispose();
    }
  });
});
