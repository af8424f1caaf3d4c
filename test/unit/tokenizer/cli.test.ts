/**
 * @module test/unit/tokenizer/cli
 * `albert-edge tokenize`: JSONL in, JSONL ids out, in order; bad lines stop the run with the
 * line number; settings from tokenizer_config.json or a shard manifest.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTokenizerSource, run } from "../../../src/cli/tokenize.ts";
import { runCaptured } from "../../support/cli-run.ts";
import { modelPath, repoRoot } from "./helpers.ts";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function tokenize(argv: string[], input: string): Promise<Result> {
  return runCaptured(run, argv, input);
}

const tmp = mkdtempSync(join(tmpdir(), "albert-tokenize-"));
/** A bare tokenizer directory (spiece.model alone, as in ../shared/tokenizer), made from the shipped model. */
const sharedTokenizer = join(tmp, "bare-tokenizer");
mkdirSync(sharedTokenizer);
copyFileSync(modelPath, join(sharedTokenizer, "spiece.model"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("albert-edge tokenize", () => {
  it("writes one {ids} line per input line, in order", async () => {
    const r = await tokenize(["--model", sharedTokenizer], '{"text":"Hello, world!"}\n\n{"text":"1,000,000 dollars"}\n');
    expect(r).toEqual({
      code: 0,
      stdout: '{"ids":[2,10975,15,126,187,3]}\n{"ids":[2,137,11623,5415,3]}\n',
      stderr: "",
    });
  });

  it("ends lines at \\n only: U+2028 / U+2029 inside a line (Python's ensure_ascii=False) and \\r\\n are fine", async () => {
    const python = '{"text": "Hello,\u2028world!"}\r\n{"text": "one\u2029two"}\r\n{"text": "last"}';
    const r = await tokenize(["--model", sharedTokenizer, "--pieces"], python);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { ids: number[]; pieces: string[] });
    expect(lines).toHaveLength(3);
    const escaped = await tokenize(["--model", sharedTokenizer, "--pieces"], '{"text":"Hello,\\u2028world!"}\n{"text":"one\\u2029two"}\n{"text":"last"}\n');
    expect(lines).toEqual(escaped.stdout.trim().split("\n").map((l) => JSON.parse(l)));
  });

  it("refuses empty text as the API does, naming the line", async () => {
    const r = await tokenize(["--model", sharedTokenizer], '{"text":"a"}\n{"text":"  "}\n{"text":"b"}\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('{"ids":[2,21,3]}\n');
    expect(r.stderr).toMatch(/stdin line 2: "text" is empty/);
  });

  it("truncates only with --max-length, and then reports it; --pieces adds pieces", async () => {
    const r = await tokenize(["--model", sharedTokenizer, "--max-length", "4", "--pieces"], '{"text":"Hello, world!"}\n{"text":"hi"}\n');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n").map((l) => JSON.parse(l))).toEqual([
      { ids: [2, 10975, 15, 3], truncated: true, pieces: ["[CLS]", "▁hello", ",", "[SEP]"] },
      { ids: [2, 4148, 3], truncated: false, pieces: ["[CLS]", "▁hi", "[SEP]"] },
    ]);
  });

  it("adds each id's offsets with --offsets (UTF-16 code units of the text, null for [CLS]/[SEP])", async () => {
    const r = await tokenize(["--model", sharedTokenizer, "--offsets", "--max-length", "5"], '{"text":"Hello, world!"}\n{"text":"  caf\\u00e9 😀 ok"}\n');
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n").map((l) => JSON.parse(l))).toEqual([
      { ids: [2, 10975, 15, 126, 3], truncated: true, offsets: [null, [0, 5], [5, 6], [7, 12], null] },
      { ids: [2, 6241, 13, 1, 3], truncated: true, offsets: [null, [2, 6], [7, 7], [7, 9], null] },
    ]);
  });

  it("stops at a bad line, naming it, after writing the lines before", async () => {
    const r = await tokenize(["--model", sharedTokenizer], '{"text":"a"}\n{"text":1}\n{"text":"b"}\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('{"ids":[2,21,3]}\n');
    expect(r.stderr).toMatch(/stdin line 2: expected an object with a string "text"/);
    const bad = await tokenize(["--model", sharedTokenizer], "not json\n");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/stdin line 1: not valid JSON/);
  });

  it("reports usage errors with exit code 2 and load errors with 1", async () => {
    for (const [argv, message] of [
      [[], /--model <dir> is required/],
      [["--model", "x", "--max-length", "1"], /--max-length must be an integer >= 2/],
      [["--model", "x", "--bogus"], /Unknown option '--bogus'/],
      [["--model", "x", "extra"], /Unexpected argument 'extra'/],
    ] as const) {
      const r = await tokenize([...argv], "");
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain("usage: albert-edge tokenize");
    }
    const missing = await tokenize(["--model", join(tmp, "does-not-exist")], "");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/neither manifest.json nor spiece.model/);
  });

  it("reads do_lower_case / keep_accents from tokenizer_config.json", async () => {
    const real = mkdtempSync(join(tmp, "cfg-"));
    copyFileSync(modelPath, join(real, "spiece.model"));
    writeFileSync(join(real, "tokenizer_config.json"), JSON.stringify({ do_lower_case: false, keep_accents: true }));
    const source = await loadTokenizerSource(real);
    expect(source).toMatchObject({ lowercase: false, keepAccents: true });
    const r = await tokenize(["--model", real, "--pieces"], '{"text":"Hello"}\n');
    expect(JSON.parse(r.stdout).pieces).toEqual(["[CLS]", "▁", "H", "ello", "[SEP]"]);
  });

  it("refuses a tokenizer_config.json whose settings are not booleans, naming the file and field", async () => {
    const real = mkdtempSync(join(tmp, "cfg-"));
    copyFileSync(modelPath, join(real, "spiece.model"));
    writeFileSync(join(real, "tokenizer_config.json"), JSON.stringify({ do_lower_case: "yes" }));
    const r = await tokenize(["--model", real], '{"text":"Hello"}\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(real, "tokenizer_config.json")}: "do_lower_case" must be a boolean`);
  });

  it("uses a shard directory's manifest and verified tokenizer shard", async () => {
    const source = await loadTokenizerSource(join(repoRoot, "model-shards/sentiment"));
    expect(source).toMatchObject({ lowercase: true, keepAccents: false });
    expect(source.model.length).toBe(760289);
    const r = await tokenize(["--model", join(repoRoot, "model-shards/sentiment")], '{"text":"Hello, world!"}\n');
    expect(r.stdout).toBe('{"ids":[2,10975,15,126,187,3]}\n');
  });
});
