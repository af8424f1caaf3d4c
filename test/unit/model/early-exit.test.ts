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
 * its own, bit-identical to running them alone.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitTracker } from "../../../src/model/early-exit.ts";
import { parseManifest } from "../../../src/model/manifest.ts";
import type { AlbertModel } from "../../../src/model/model.ts";
import { generateCheckpoint, SMALL_SHAPE, type GeneratedCheckpoint } from "../../support/checkpoint-generator.ts";
import { convertQuietly, loadWithIds, randomIds } from "../../support/model-helpers.ts";
import { tempDir } from "../../support/paths.ts";
import { Rng } from "../../support/random.ts";

describe("PABEE stopping rule", () => {
  it("stops once the prediction has held for `patience` layers", () => {
    const run = (patience: number, preds: number[][], task: "single_label_classification" | "multi_label_classification" = "single_label_classification") => {
      const t = new ExitTracker(patience, task);
      return preds.findIndex((l) => t.update(l)) + 1; // layers run; 0 = never
    };
    expect(run(1, [[1, 0], [1, 0], [0, 1]])).toBe(2);
    expect(run(2, [[1, 0], [0, 1], [0, 1], [0, 1]])).toBe(4);
    expect(run(2, [[1, 0], [1, 0], [0, 1], [0, 2]])).toBe(0);
    // Multi-label: the set of labels over 0.5 (logit > 0) must hold.
    expect(run(1, [[1, -1], [2, -3], [1, 1]], "multi_label_classification")).toBe(2);
    expect(run(1, [[1, -1], [1, 1], [1, 2]], "multi_label_classification")).toBe(3);
  });
});

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

  /** The same shards with the manifest cut to `l` layers (one shared block: the state after layer l). */
  function cutDir(l: number): string {
    const dir = join(tmp.dir, `cut${l}`);
    if (existsSync(dir)) return dir;
    mkdirSync(dir);
    const manifest = JSON.parse(readFileSync(join(plainDir(), "manifest.json"), "utf8"));
    for (const shard of manifest.shards) copyFileSync(join(plainDir(), shard.file), join(dir, shard.file));
    manifest.config.num_hidden_layers = l;
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    return dir;
  }

  it.each(["wasm", "ort"] as const)("%s: stops where the rule says on its own per-layer logits, answering that layer's; fullDepth = the plain model", async (engine) => {
    const model: AlbertModel = await loadWithIds(exitDir(), { engine });
    const plain: AlbertModel = await loadWithIds(plainDir(), { engine });
    const cuts: AlbertModel[] = [];
    for (let l = 1; l <= LAYERS; l++) cuts.push(await loadWithIds(cutDir(l), { engine }));
    try {
      const seen = new Set<number>();
      for (const ids of inputs) {
        const perLayer = await Promise.all(cuts.map(async (m) => Array.from((await m.forward(ids)).logits ?? [])));
        const tracker = new ExitTracker(PATIENCE, "single_label_classification");
        const expected = perLayer.findIndex((l) => tracker.update(l)) + 1 || LAYERS;
        const got = await model.forward(ids);
        expect(got.layers).toBe(expected);
        expect(Array.from(got.logits ?? [])).toEqual(perLayer[expected - 1]);
        seen.add(expected);
        for (const patience of [1, 3]) {
          // A run's own patience (options.patience) replaces the manifest's, on the plain model too.
          const t = new ExitTracker(patience, "single_label_classification");
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
