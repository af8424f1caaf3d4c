/**
 * @module test/unit/cli/classify
 * `albert-edge classify` run as a process on the shipped sentiment shards: JSONL lines end at
 * `\n` only (U+2028 / U+2029 stay inside a line, `\r\n` is fine), empty text is refused naming the
 * line, a Hugging Face checkpoint given as `--model` says to run `convert` first, and the depth
 * options (`--full-depth`, `--patience N`) decide how many layers run (`layers` in each line).
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, tempDir } from "../../support/paths.ts";

const shards = join(repoRoot, "model-shards/sentiment");

/** Runs the real command (`src/cli.ts classify`) with `input` on stdin. */
async function classify(argv: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", "src/cli.ts", "classify", ...argv], {
    cwd: repoRoot,
    input,
    encoding: "utf8",
    maxBuffer: 16 << 20,
  });
  return { code: cli.status ?? -1, stdout: cli.stdout, stderr: cli.stderr };
}

describe("albert-edge classify input", () => {
  it("reads JSONL that Python writes with ensure_ascii=False (U+2028 / U+2029 in text) and \\r\\n line ends", async () => {
    const texts = ["a warm\u2028and funny film", "dull\u2029and tedious", "fine ."];
    const raw = texts.map((text) => `{"text": "${text}"}`).join("\r\n") + "\r\n";
    const r = await classify(["--model", shards], raw);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { label: string; score: number });
    expect(lines).toHaveLength(3);
    const escaped = await classify(["--model", shards], texts.map((text) => JSON.stringify({ text })).join("\n"));
    expect(lines).toEqual(escaped.stdout.trim().split("\n").map((l) => JSON.parse(l)));
  });

  it("refuses empty text as the API does, after the lines before it", async () => {
    const r = await classify(["--model", shards], '{"text":"a fine film ."}\n{"text":""}\n{"text":"never read"}\n');
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/stdin line 2: "text" is empty/);
  });

  it("says to run convert first when --model is a Hugging Face checkpoint", async () => {
    // A checkpoint's layout: config.json and no manifest.json.
    const checkpoint = tempDir("hf-checkpoint");
    try {
      writeFileSync(join(checkpoint.dir, "config.json"), JSON.stringify({ model_type: "albert" }));
      const r = await classify(["--model", checkpoint.dir], '{"text":"hi"}\n');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("Hugging Face checkpoint");
      expect(r.stderr).toContain(`albert-edge convert ${checkpoint.dir} <out-dir>`);
    } finally {
      checkpoint.cleanup();
    }
  });
});

describe("albert-edge classify depth", () => {
  const texts = ["a warm and funny film", "dull", "the plot is thin but the acting is superb", "not bad at all", "I hated every minute", "fine ."];
  const input = texts.map((text) => JSON.stringify({ text })).join("\n");
  const run = async (argv: string[]): Promise<{ label: string; layers: number }[]> => {
    const r = await classify(["--model", shards, ...argv], input);
    expect(r.stderr).toBe("");
    return r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { label: string; layers: number });
  };

  it("--full-depth runs every layer; --patience N stops once N more layers agree (never before layer N + 1)", async () => {
    const full = await run(["--full-depth"]);
    expect(full.map((r) => r.layers)).toEqual(texts.map(() => 6));
    const p1 = await run(["--patience", "1"]);
    for (const r of p1) expect(r.layers).toBeGreaterThanOrEqual(2);
    expect(p1.some((r) => r.layers < 6)).toBe(true);
    const p3 = await run(["--patience", "3"]);
    p3.forEach((r, i) => {
      expect(r.layers).toBeGreaterThanOrEqual(4);
      expect(r.layers).toBeGreaterThanOrEqual(p1[i]!.layers);
      if (r.layers === 6) expect(r.label).toBe(full[i]!.label);
    });
    expect((await run(["--patience", "5"])).map((r) => r.layers)).toEqual(texts.map(() => 6));
  });

  it.each([
    [["--patience", "0"], /--patience must be an integer >= 1 \(got "0"\)/],
    [["--patience", "two"], /--patience must be an integer >= 1/],
    [["--full-depth", "--patience", "2"], /--full-depth and --patience exclude each other/],
  ])("refuses %j with exit code 2", async (argv, message) => {
    const r = await classify(["--model", shards, ...argv], input);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });
});
