/**
 * @module test/unit/model/shipped-sentiment
 * The product's default model `model-shards/sentiment`: it must be exactly what the current
 * converter makes from ../shared/checkpoints/albert-sst2-mini (`--id sentiment`, int8), load
 * with verified shards, and serve `albert-edge classify` (JSONL in → JSONL out, order kept).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel } from "../../../src/model/index.ts";
import { fsShardSource } from "../../../src/node/fs-shard-source.ts";
import { argmaxOf, convertQuietly, maxAbsDiff } from "../../support/model-helpers.ts";
import { repoRoot, sharedAvailable, sst2MiniDir, sst2MiniGolden, tempDir } from "../../support/paths.ts";

const shipped = join(repoRoot, "model-shards", "sentiment");

describe.skipIf(!sharedAvailable() || !existsSync(shipped))("model-shards/sentiment", () => {
  const tmp = tempDir("shipped");
  afterAll(() => tmp.cleanup());

  it("is byte-identical to a fresh conversion of albert-sst2-mini (--id sentiment)", async () => {
    const fresh = join(tmp.dir, "sentiment");
    await convertQuietly(sst2MiniDir, fresh, { id: "sentiment" });
    const names = readdirSync(shipped).sort();
    expect(names).toEqual(readdirSync(fresh).sort());
    for (const name of names) expect(readFileSync(join(shipped, name)).equals(readFileSync(join(fresh, name))), name).toBe(true);
  });

  it("loads (verified) and reports its manifest", async () => {
    const model = await loadModel(fsShardSource(shipped));
    try {
      expect(model.manifest).toMatchObject({ id: "sentiment", task: "single_label_classification", labels: ["negative", "positive"], quantization: "int8-per-channel" });
      const [result] = await model.classify(["a gorgeous , witty , seductive movie ."]);
      expect(result?.label).toBe("positive");
    } finally {
      await model.dispose();
    }
  });

  it("albert-edge classify: JSONL {text} → JSONL {label, score, logits}, in order", () => {
    const golden = readFileSync(sst2MiniGolden, "utf8").trim().split("\n").slice(0, 12).map((l) => JSON.parse(l) as { text: string; logits: number[] });
    const input = golden.map((g) => JSON.stringify({ text: g.text })).join("\n") + "\n\n";
    const out = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", "src/cli.ts", "classify", "--model", shipped], { cwd: repoRoot, input, encoding: "utf8" });
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    const lines = out.stdout.trim().split("\n").map((l) => JSON.parse(l) as { label: string; score: number; logits: number[] });
    expect(lines).toHaveLength(golden.length);
    lines.forEach((r, i) => {
      expect(Object.keys(r)).toEqual(["label", "score", "logits"]);
      expect(maxAbsDiff(r.logits, golden[i]?.logits ?? [])).toBeLessThanOrEqual(0.25);
      expect(r.label).toBe(["negative", "positive"][argmaxOf(r.logits)]);
    });

    const bad = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", "src/cli.ts", "classify", "--model", shipped], { cwd: repoRoot, input: '{"text":"fine"}\nnot json\n', encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stdout.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/stdin line 2: not valid JSON/);
  });
});
