/**
 * @module test/unit/cli/thresholds
 * `albert-edge thresholds <dir> <label=T,...> | --off` as a process on copies of the shipped
 * shards: it writes `thresholds` and the content version the converter would write (setting the
 * shipped values again after --off gives back the shipped manifest byte for byte), the early-exit
 * rule follows them (at 1 no label is ever on, so every text stops as soon as patience allows),
 * and it refuses bad usage (2), labels the model lacks and single-label models (1).
 */
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, tempDir } from "../../support/paths.ts";

const tmp = tempDir("thresholds-cli");
afterAll(() => tmp.cleanup());
const copy = (model: string, name: string): string => {
  const dir = join(tmp.dir, name);
  cpSync(join(repoRoot, "model-shards", model), dir, { recursive: true });
  return dir;
};
const cli = (args: string[], input = "") =>
  spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", "src/cli.ts", ...args], { cwd: repoRoot, input, encoding: "utf8" });
const manifestOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { version: string; thresholds?: Record<string, number>; early_exit?: { patience: number }; shards: unknown[] };

describe("albert-edge thresholds", () => {
  it("sets and removes them with the content version; the shipped values give back the shipped manifest", () => {
    const dir = copy("moderation", "set");
    const shipped = readFileSync(join(dir, "manifest.json"), "utf8");
    const own = manifestOf(dir).thresholds;
    expect(own).toBeDefined();
    const off = cli(["thresholds", dir, "--off"]);
    expect(off.status).toBe(0);
    expect(manifestOf(dir).thresholds).toBeUndefined();
    expect(manifestOf(dir).version).not.toBe(JSON.parse(shipped).version);
    expect(manifestOf(dir).shards).toEqual(JSON.parse(shipped).shards);
    const set = cli(["thresholds", dir, "hate=0.3, offensive=0.7"]);
    expect(set.status).toBe(0);
    expect(manifestOf(dir).thresholds).toEqual({ hate: 0.3, offensive: 0.7 });
    expect(set.stderr).toMatch(/thresholds hate=0.3, offensive=0.7; version [0-9a-f]{16} -> [0-9a-f]{16}/);
    // The version covers the setting, not the order it was written in.
    const v1 = manifestOf(dir).version;
    expect(cli(["thresholds", dir, "offensive=0.7,hate=0.3"]).status).toBe(0);
    expect(manifestOf(dir).version).toBe(v1);
    const again = Object.entries(own!).map(([label, t]) => `${label}=${t}`).join(",");
    expect(cli(["thresholds", dir, again]).status).toBe(0);
    expect(readFileSync(join(dir, "manifest.json"), "utf8")).toBe(shipped);
  });

  it("early exit compares the label sets they give", () => {
    const dir = copy("moderation", "exit");
    const patience = 1;
    expect(cli(["early-exit", dir, "--patience", String(patience)]).status).toBe(0);
    const input = ["what a dumb move", "that guy is a clown", "have a lovely day", "you idiot", "what nonsense"].map((text) => JSON.stringify({ text })).join("\n");
    const layers = () => cli(["classify", "--model", dir], input).stdout.trim().split("\n").map((l) => (JSON.parse(l) as { layers: number }).layers);
    const asShipped = layers();
    expect(cli(["thresholds", dir, "hate=1,offensive=1"]).status).toBe(0);
    const never = layers();
    // No label reaches 1, so every layer predicts the empty set: each text stops after patience + 1 layers.
    expect(never.every((l) => l === patience + 1)).toBe(true);
    expect(asShipped.some((l) => l > patience + 1)).toBe(true);
  });

  it("refuses bad usage with 2, labels the model lacks and single-label models with 1", () => {
    const dir = copy("moderation", "bad");
    const before = readFileSync(join(dir, "manifest.json"), "utf8");
    for (const args of [[dir], [dir, "hate=2"], [dir, "hate"], [dir, "=0.5"], [dir, "hate=0.4,hate=0.5"], [dir, "hate=0.4", "--off"], [dir, "hate=0.4", "extra"]]) {
      const r = cli(["thresholds", ...args]);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toContain("usage: albert-edge thresholds");
    }
    const unknown = cli(["thresholds", dir, "spam=0.5"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/thresholds.spam is not a label of this model \(labels: hate, offensive\)/);
    expect(readFileSync(join(dir, "manifest.json"), "utf8")).toBe(before);
    const single = cli(["thresholds", copy("sentiment", "single"), "positive=0.6"]);
    expect(single.status).toBe(1);
    expect(single.stderr).toMatch(/single_label_classification model; thresholds are for multi-label classifiers/);
    expect(cli(["thresholds", join(tmp.dir, "missing"), "--off"]).status).toBe(1);
  });
});
