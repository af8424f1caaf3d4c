/**
 * @module test/unit/cli/heads
 * The heads through the real `albert-edge` commands (processes) on the ../shared fixtures
 * converted to int8 shards: `classify` on a token classifier answers `{ids, offsets, token_logits,
 * entities}` matching the golden; `classify` reads `{text, text_pair}` lines for pair models; `qa`
 * finds the golden's best span; `embed` gives the golden's vectors (mean by the manifest, or
 * `--pooling cls`); `--decoding bio` gives valid IOB2 token labels where argmax does not; a model of
 * the wrong kind and bad options are refused.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bestSpan, cosine, readJsonl, rowArgmax } from "../../support/heads-golden.ts";
import { convertQuietly } from "../../support/model-helpers.ts";
import { repoRoot, sharedCheckpoint, sharedGolden, sharedPresent, tempDir } from "../../support/paths.ts";

function cli(command: string, argv: string[], lines: unknown[]): { code: number; out: Record<string, unknown>[]; stderr: string } {
  const r = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", "src/cli.ts", command, ...argv], {
    cwd: repoRoot,
    input: lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const out = (r.stdout ?? "")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.status ?? -1, out, stderr: r.stderr };
}

const run = sharedPresent() ? describe : describe.skip;

run("albert-edge commands on every head", () => {
  const tmp = tempDir("cli-heads");
  const shards = (name: string) => join(tmp.dir, name);
  beforeAll(async () => {
    for (const name of ["albert-ner-mini", "albert-qa-mini", "albert-embed-mini", "albert-sst2-mini"]) await convertQuietly(sharedCheckpoint(name), shards(name));
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it("classify on a token classifier: ids, offsets and token logits per position, entities with spans in the text", () => {
    const golden = readJsonl<{ text: string; ids: number[]; token_logits: number[][]; offsets: ([number, number] | null)[] | null }>(sharedGolden("albert-ner-mini.jsonl"));
    const r = cli("classify", ["--model", shards("albert-ner-mini")], golden.map(({ text }) => ({ text })));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(golden.length);
    let agree = 0;
    let total = 0;
    r.out.forEach((line, i) => {
      const g = golden[i]!;
      expect(line.ids).toEqual(g.ids);
      const offsets = line.offsets as ([number, number] | null)[];
      expect(offsets).toHaveLength(g.ids.length);
      if (g.offsets !== null) expect(offsets).toEqual(g.offsets);
      const logits = line.token_logits as number[][];
      expect(logits).toHaveLength(g.ids.length);
      const ours = rowArgmax(logits.flat(), 9);
      const theirs = rowArgmax(g.token_logits.flat(), 9);
      ours.forEach((label, p) => ((total += 1), (agree += label === theirs[p] ? 1 : 0)));
      for (const e of line.entities as { label: string; start: number; end: number; text: string }[]) {
        expect(e.text).toBe(g.text.slice(e.start, e.end));
        expect(["PER", "ORG", "LOC", "MISC"]).toContain(e.label);
      }
    });
    expect(agree / total).toBeGreaterThanOrEqual(0.98);
    const none = cli("classify", ["--model", shards("albert-ner-mini"), "--aggregation", "none"], [{ text: golden[0]!.text }]);
    for (const e of none.out[0]!.entities as { label: string }[]) expect(e.label).toMatch(/^[BI]-(PER|ORG|LOC|MISC)$/);
  });

  it("classify --decoding bio: every token label sequence is valid IOB2 (argmax on the random-weight fixture's is not)", () => {
    const texts = readJsonl<{ text: string }>(sharedGolden("albert-ner-mini.jsonl")).map(({ text }) => ({ text }));
    /** Token rows (aggregation none) that break IOB2: an I-X whose previous token is not B-X / I-X. */
    const invalid = (decoding: string): number => {
      const r = cli("classify", ["--model", shards("albert-ner-mini"), "--aggregation", "none", "--decoding", decoding], texts);
      expect(r.code).toBe(0);
      let bad = 0;
      for (const line of r.out) {
        const offsets = (line.offsets as ([number, number] | null)[]).filter((o): o is [number, number] => o !== null);
        const labelAt = new Map((line.entities as { label: string; start: number; end: number }[]).map((e) => [`${e.start}:${e.end}`, e.label]));
        const labels = offsets.map(([s, e]) => labelAt.get(`${s}:${e}`) ?? "O");
        labels.forEach((label, t) => {
          if (label.startsWith("I-") && labels[t - 1] !== `B-${label.slice(2)}` && labels[t - 1] !== label) bad++;
        });
      }
      return bad;
    };
    expect(invalid("argmax")).toBeGreaterThan(0);
    expect(invalid("bio")).toBe(0);
  });

  it("classify reads {text, text_pair} lines for a pair classifier", () => {
    const golden = readJsonl<{ text: string; text_pair: string; logits: number[] }>(sharedGolden("albert-sst2-mini.pairs.jsonl"));
    const r = cli("classify", ["--model", shards("albert-sst2-mini")], golden.map(({ text, text_pair }) => ({ text, text_pair })));
    expect(r.code).toBe(0);
    const agree = r.out.filter((line, i) => rowArgmax(line.logits as number[], 2)[0] === rowArgmax(golden[i]!.logits, 2)[0]).length;
    expect(agree).toBeGreaterThanOrEqual(19);
    const bad = cli("classify", ["--model", shards("albert-sst2-mini")], [{ text: "a", text_pair: 3 }]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/stdin line 1: "text_pair" must be a string/);
  });

  it("qa finds the golden's best span where it clearly leads, with the first window's ids and logits", () => {
    const golden = readJsonl<{ question: string; context: string; ids: number[]; token_type_ids: number[]; start_logits: number[]; end_logits: number[]; best: { start_token: number; end_token: number; answer?: string } }>(sharedGolden("albert-qa-mini.jsonl"));
    const r = cli("qa", ["--model", shards("albert-qa-mini")], golden.map(({ question, context }) => ({ question, context })));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    let clear = 0;
    let same = 0;
    r.out.forEach((line, i) => {
      const g = golden[i]!;
      expect(line.ids).toEqual(g.ids);
      expect(line.start_logits).toHaveLength(g.ids.length);
      expect(line.end_logits).toHaveLength(g.ids.length);
      expect(line.answer).toBe(g.context.slice(line.start as number, line.end as number));
      const span = bestSpan(g.start_logits, g.end_logits, g.token_type_ids);
      if (span.score - span.runnerUp < 0.25 || g.best.answer === undefined) return;
      clear++;
      if (line.answer === g.best.answer) same++;
    });
    expect(clear).toBeGreaterThan(10);
    expect(same / clear).toBeGreaterThanOrEqual(0.9);
    const top = cli("qa", ["--model", shards("albert-qa-mini"), "--top-k", "3"], [{ question: golden[0]!.question, context: golden[0]!.context }]);
    expect(top.out[0]!.answers).toHaveLength(3);
  });

  it("embed gives the golden's mean vectors, and the pooled [CLS] with --pooling cls", () => {
    const golden = readJsonl<{ text: string; mean: number[]; pooled: number[] }>(sharedGolden("albert-embed-mini.jsonl"));
    const inputs = golden.map(({ text }) => ({ text }));
    const mean = cli("embed", ["--model", shards("albert-embed-mini")], inputs);
    const cls = cli("embed", ["--model", shards("albert-embed-mini"), "--pooling", "cls"], inputs);
    expect(mean.code).toBe(0);
    expect(cls.code).toBe(0);
    golden.forEach((g, i) => {
      expect(cosine(mean.out[i]!.embedding as number[], g.mean)).toBeGreaterThanOrEqual(0.99);
      expect(cosine(cls.out[i]!.embedding as number[], g.pooled)).toBeGreaterThanOrEqual(0.99);
    });
  });

  it("refuses models of the wrong kind (exit 1) and bad options (exit 2)", () => {
    const qaOnNer = cli("qa", ["--model", shards("albert-ner-mini")], [{ question: "a", context: "b" }]);
    expect(qaOnNer.code).toBe(1);
    expect(qaOnNer.stderr).toMatch(/token_classification model; qa needs a question_answering model/);
    const embedOnQa = cli("embed", ["--model", shards("albert-qa-mini")], [{ text: "a" }]);
    expect(embedOnQa.code).toBe(1);
    const classifyQa = cli("classify", ["--model", shards("albert-qa-mini")], [{ text: "a" }]);
    expect(classifyQa.stderr).toMatch(/use `albert-edge qa`/);
    expect(cli("classify", ["--model", shards("albert-ner-mini"), "--aggregation", "average"], []).code).toBe(2);
    const badDecoding = cli("classify", ["--model", shards("albert-ner-mini"), "--decoding", "crf"], []);
    expect(badDecoding.code).toBe(2);
    expect(badDecoding.stderr).toMatch(/--decoding must be one of argmax, bio/);
    expect(cli("classify", ["--model", shards("albert-sst2-mini"), "--decoding", "bio"], [{ text: "a" }]).stderr).toMatch(/--aggregation and --decoding are for token classifiers/);
    expect(cli("embed", ["--model", shards("albert-embed-mini"), "--pooling", "max"], []).code).toBe(2);
    expect(cli("qa", ["--model", shards("albert-qa-mini"), "--top-k", "0"], []).code).toBe(2);
    expect(cli("qa", ["--model", shards("albert-qa-mini"), "--bogus"], []).code).toBe(2);
  });
});
