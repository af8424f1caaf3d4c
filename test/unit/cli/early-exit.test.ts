/**
 * @module test/unit/cli/early-exit
 * `albert-edge early-exit <dir> --patience N | --off` as a process on a copy of the shipped
 * sentiment shards: it writes `early_exit` and the content version the converter would write
 * (`--off` gives back the manifest without it, the shipped patience the shipped file byte for
 * byte), the model then stops early exactly as
 * `classify --patience N` does, and it refuses bad usage (2) and models without a classifier (1).
 */
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, tempDir } from "../../support/paths.ts";

const tmp = tempDir("early-exit-cli");
afterAll(() => tmp.cleanup());
const copy = (name: string): string => {
  const dir = join(tmp.dir, name);
  cpSync(join(repoRoot, "model-shards/sentiment"), dir, { recursive: true });
  return dir;
};
const cli = (args: string[], input = "") =>
  spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", "src/cli.ts", ...args], { cwd: repoRoot, input, encoding: "utf8" });
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { version: string; early_exit?: { patience: number }; shards: unknown[] };

describe("albert-edge early-exit", () => {
  it("sets the patience and the version; --off gives back the manifest without it, the shipped patience the shipped file", () => {
    const dir = copy("set");
    const shipped = readFileSync(join(dir, "manifest.json"), "utf8");
    expect(cli(["early-exit", dir, "--off"]).status).toBe(0);
    const original = readFileSync(join(dir, "manifest.json"), "utf8");
    expect(JSON.parse(original)).not.toHaveProperty("early_exit");
    const set = cli(["early-exit", dir, "--patience", "2"]);
    expect(set.status).toBe(0);
    const m = manifestOf(dir);
    expect(m.early_exit).toEqual({ patience: 2 });
    expect(m.version).not.toBe(JSON.parse(original).version);
    expect(set.stderr).toContain(`early exit at patience 2; version ${JSON.parse(original).version} -> ${m.version}`);
    expect(m.shards).toEqual(JSON.parse(original).shards);
    expect(cli(["early-exit", dir, "--off"]).status).toBe(0);
    expect(readFileSync(join(dir, "manifest.json"), "utf8")).toBe(original);
    const patience = (JSON.parse(shipped) as { early_exit?: { patience: number } }).early_exit?.patience;
    expect(cli(["early-exit", dir, ...(patience === undefined ? ["--off"] : ["--patience", String(patience)])]).status).toBe(0);
    expect(readFileSync(join(dir, "manifest.json"), "utf8")).toBe(shipped);
  });

  it("the model then stops as classify --patience does", () => {
    const dir = copy("run");
    const input = ["a warm and funny film", "dull", "not bad at all", "I hated every minute"].map((text) => JSON.stringify({ text })).join("\n");
    const lines = (r: ReturnType<typeof cli>) => r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { label: string; layers: number });
    const measured = lines(cli(["classify", "--model", dir, "--patience", "2"], input));
    expect(cli(["early-exit", dir, "--patience", "2"]).status).toBe(0);
    expect(lines(cli(["classify", "--model", dir], input))).toEqual(measured);
    expect(lines(cli(["classify", "--model", dir, "--full-depth"], input)).every((r) => r.layers === 6)).toBe(true);
  });

  it("refuses bad usage with 2 and a model without a classifier with 1", () => {
    const dir = copy("bad");
    for (const args of [[dir], [dir, "--patience", "0"], [dir, "--patience", "2", "--off"], ["--patience", "2"]]) {
      const r = cli(["early-exit", ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("usage: albert-edge early-exit");
    }
    const { early_exit: _shipped, ...m } = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ ...m, task: "feature_extraction", labels: [] }));
    const r = cli(["early-exit", dir, "--patience", "2"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/feature_extraction model; early exit needs a sequence classifier head/);
    expect(cli(["early-exit", join(tmp.dir, "missing"), "--off"]).status).toBe(1);
  });
});
