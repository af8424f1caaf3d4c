/**
 * @module test/unit/model/shipped-models
 * The product's default models in `model-shards/`: they load with verified shards, do their job
 * on the held-out dev sets (quality gates a fixture or random weights would fail), our engine gives
 * the same labels as onnxruntime on the same shards (≥ 99.5%, accuracy within 0.3 points), and
 * `albert-edge classify` serves them (JSONL in → JSONL out, order kept, line-numbered errors).
 * How they were trained and their full figures: training/RESULTS.md.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AlbertModel } from "../../../src/model/index.ts";
import { loadModelDir } from "../../../src/node/load-model.ts";
import { argmaxOf } from "../../support/model-helpers.ts";
import { datasetsDir, repoRoot, sharedAvailable } from "../../support/paths.ts";

const shards = (id: string) => join(repoRoot, "model-shards", id);
const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "");

/** Labels of the same texts on both engines: agreement and both engines' results. */
async function bothEngines<T>(id: string, run: (model: AlbertModel) => Promise<T[]>): Promise<{ wasm: T[]; ort: T[]; engine: string }> {
  const [wasm, ort] = await Promise.all([loadModelDir(shards(id)), loadModelDir(shards(id), { engine: "ort" })]);
  try {
    return { wasm: await run(wasm), ort: await run(ort), engine: wasm.engine };
  } finally {
    await Promise.all([wasm.dispose(), ort.dispose()]);
  }
}

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
  it("is a trained int8 sentiment model: SST-2 dev accuracy >= 84%, same labels on both engines", async () => {
    const rows = lines(join(datasetsDir, "sst2", "dev.tsv")).slice(1).map((l) => l.split("\t"));
    expect(rows.length).toBe(872);
    const gold = rows.map((r) => (r[1]!.trim() === "1" ? "positive" : "negative"));
    const runs = await bothEngines("sentiment", async (model) => {
      expect(model.manifest).toMatchObject({ id: "sentiment", task: "single_label_classification", labels: ["negative", "positive"], quantization: "int8-per-channel" });
      return (await model.classify(rows.map((r) => r[0]!.trim()))).map((r) => r.label);
    });
    const accuracy = (labels: string[]) => labels.filter((l, i) => l === gold[i]).length / rows.length;
    const agree = runs.wasm.filter((l, i) => l === runs.ort[i]).length / rows.length;
    console.log(
      `[shipped] sentiment SST-2 dev accuracy ${(100 * accuracy(runs.wasm)).toFixed(2)}% on ${runs.engine}, ` +
        `${(100 * accuracy(runs.ort)).toFixed(2)}% on onnxruntime-web; same label ${(100 * agree).toFixed(2)}% (${rows.length})`,
    );
    expect(accuracy(runs.wasm)).toBeGreaterThanOrEqual(0.84);
    expect(agree).toBeGreaterThanOrEqual(0.995);
    expect(Math.abs(accuracy(runs.wasm) - accuracy(runs.ort))).toBeLessThanOrEqual(0.003);
  }, 600_000);

  it("albert-edge classify: JSONL {text} → JSONL {label, score, logits, layers}, in order", () => {
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
      expect(Object.keys(r)).toEqual(["label", "score", "logits", "layers"]);
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
  it("is a trained multi-label moderation model: TweetEval offensive val macro-F1 >= 0.70, same offensive label on both engines", async () => {
    const folder = join(datasetsDir, "tweeteval", "offensive");
    const gold = lines(join(folder, "val_labels.txt")).map(Number);
    const texts = readFileSync(join(folder, "val_text.txt"), "utf8").split("\n").slice(0, gold.length);
    expect(gold.length).toBe(1324);
    const runs = await bothEngines("moderation", async (model) => {
      expect(model.manifest).toMatchObject({ id: "moderation", task: "multi_label_classification", labels: ["hate", "offensive"] });
      return (await model.classify(texts)).map((r) => labelSet(r.scores));
    });
    const offensive = (sets: string[]) => sets.map((s) => (s.includes("offensive") ? 1 : 0));
    const hate = (sets: string[]) => sets.map((s) => (s.includes("hate") ? 1 : 0));
    const same = (a: number[], b: number[]) => a.filter((v, i) => v === b[i]).length / a.length;
    const f1 = macroF1(gold, offensive(runs.wasm));
    const agree = same(offensive(runs.wasm), offensive(runs.ort));
    console.log(
      `[shipped] moderation TweetEval offensive val macro-F1 ${f1.toFixed(4)} on ${runs.engine}, ${macroF1(gold, offensive(runs.ort)).toFixed(4)} on onnxruntime-web; ` +
        `same offensive label ${(100 * agree).toFixed(2)}%, same hate label ${(100 * same(hate(runs.wasm), hate(runs.ort))).toFixed(2)}% (${gold.length})`,
    );
    expect(f1).toBeGreaterThanOrEqual(0.7);
    expect(agree).toBeGreaterThanOrEqual(0.995);
  }, 600_000);
});

/** The labels a multi-label result flags at 0.5, as one comparable string. */
function labelSet(scores: Record<string, number>): string {
  return Object.entries(scores)
    .filter(([, p]) => p >= 0.5)
    .map(([l]) => l)
    .join(",");
}
