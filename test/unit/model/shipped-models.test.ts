/**
 * @module test/unit/model/shipped-models
 * The product's default models in `model-shards/`: they load with verified shards, do their job
 * on the held-out dev sets (quality gates a fixture or random weights would fail), and
 * `albert-edge classify` serves them (JSONL in → JSONL out, order kept, line-numbered errors).
 * How they were trained and their full figures: training/RESULTS.md.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../../../src/model/index.ts";
import { fsShardSource } from "../../../src/node/fs-shard-source.ts";
import { argmaxOf } from "../../support/model-helpers.ts";
import { datasetsDir, repoRoot, sharedAvailable } from "../../support/paths.ts";

const shards = (id: string) => join(repoRoot, "model-shards", id);
const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "");

function macroF1(gold: number[], pred: number[]): number {
  const f1 = (c: number) => {
    let tp = 0, fp = 0, fn = 0;
    gold.forEach((g, i) => {
      if (pred[i] === c && g === c) tp++;
      else if (pred[i] === c) fp++;
      else if (g === c) fn++;
    });
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  };
  return (f1(0) + f1(1)) / 2;
}

describe.skipIf(!sharedAvailable())("model-shards/sentiment", () => {
  it("is a trained int8 sentiment model: SST-2 dev accuracy >= 84%", async () => {
    const model = await loadModel(fsShardSource(shards("sentiment")));
    try {
      expect(model.manifest).toMatchObject({ id: "sentiment", task: "single_label_classification", labels: ["negative", "positive"], quantization: "int8-per-channel" });
      const rows = lines(join(datasetsDir, "sst2", "dev.tsv")).slice(1).map((l) => l.split("\t"));
      const results = await model.classify(rows.map((r) => r[0]!.trim()));
      const correct = results.filter((r, i) => r.label === (rows[i]![1]!.trim() === "1" ? "positive" : "negative")).length;
      const accuracy = correct / rows.length;
      console.log(`[shipped] sentiment SST-2 dev accuracy ${(100 * accuracy).toFixed(2)}% (${rows.length})`);
      expect(rows.length).toBe(872);
      expect(accuracy).toBeGreaterThanOrEqual(0.84);
    } finally {
      await model.dispose();
    }
  });

  it("albert-edge classify: JSONL {text} → JSONL {label, score, logits}, in order", () => {
    const texts = ["a gorgeous , witty , seductive movie .", "a dull , lifeless mess .", "", "it 's fine ."];
    const input = texts.map((text) => (text === "" ? "" : JSON.stringify({ text }))).join("\n") + "\n";
    const cli = (stdin: string) =>
      spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", "src/cli.ts", "classify", "--model", shards("sentiment")], { cwd: repoRoot, input: stdin, encoding: "utf8" });
    const out = cli(input);
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    const results = out.stdout.trim().split("\n").map((l) => JSON.parse(l) as { label: string; score: number; logits: number[] });
    expect(results).toHaveLength(3); // the blank line is skipped
    for (const r of results) {
      expect(Object.keys(r)).toEqual(["label", "score", "logits"]);
      expect(r.label).toBe(["negative", "positive"][argmaxOf(r.logits)]);
    }
    expect(results.map((r) => r.label).slice(0, 2)).toEqual(["positive", "negative"]);

    const bad = cli('{"text":"fine"}\nnot json\n');
    expect(bad.status).toBe(1);
    expect(bad.stdout.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/stdin line 2: not valid JSON/);
  });
});

describe.skipIf(!sharedAvailable())("model-shards/moderation", () => {
  it("is a trained multi-label moderation model: TweetEval offensive val macro-F1 >= 0.70", async () => {
    const model = await loadModel(fsShardSource(shards("moderation")));
    try {
      expect(model.manifest).toMatchObject({ id: "moderation", task: "multi_label_classification", labels: ["hate", "offensive"] });
      const folder = join(datasetsDir, "tweeteval", "offensive");
      const gold = lines(join(folder, "val_labels.txt")).map(Number);
      const texts = readFileSync(join(folder, "val_text.txt"), "utf8").split("\n").slice(0, gold.length);
      const results = await model.classify(texts);
      const pred = results.map((r) => (r.scores["offensive"]! >= 0.5 ? 1 : 0));
      const f1 = macroF1(gold, pred);
      console.log(`[shipped] moderation TweetEval offensive val macro-F1 ${f1.toFixed(4)} (${gold.length})`);
      expect(gold.length).toBe(1324);
      expect(f1).toBeGreaterThanOrEqual(0.7);
    } finally {
      await model.dispose();
    }
  });
});
