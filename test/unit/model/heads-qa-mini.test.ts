/**
 * @module test/unit/model/heads-qa-mini
 * Question answering (AlbertForQuestionAnswering, `qa_outputs`) against the fp32 reference on
 * ../shared: albert-qa-mini in fp32 and int8 shards, the 40 golden `[CLS] q [SEP] c [SEP]` pairs
 * (token types 0 then 1) through `model.run` on both engines. tokenLogits is [S × 2] (start,
 * end). fp32: every start/end logit within 1e-3 and the golden best span. int8: the same best
 * span on ≥ 90% of the pairs whose golden best leads its runner-up by ≥ 0.25. Both engines
 * agree on the best span.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlbertModel, SequenceOutput } from "../../../src/model/index.ts";
import { bestSpan, column, ENGINES, FORMS, loadForms, readJsonl, type QaGolden, type Span } from "../../support/heads-golden.ts";
import { maxAbsDiff } from "../../support/model-helpers.ts";
import { sharedGolden, sharedPairAvailable, tempDir } from "../../support/paths.ts";

type Golden = QaGolden;

const spanOf = (out: SequenceOutput, g: Golden): Span => bestSpan(column(out.tokenLogits!, 2, 0), column(out.tokenLogits!, 2, 1), g.token_type_ids);

describe.skipIf(!sharedPairAvailable("albert-qa-mini", "albert-qa-mini.jsonl"))("albert-qa-mini: question answering vs the fp32 reference", () => {
  const tmp = tempDir("heads-qa");
  let golden: Golden[] = [];
  let models = new Map<string, AlbertModel>();
  const outputs = new Map<string, SequenceOutput[]>();

  beforeAll(async () => {
    golden = readJsonl<Golden>(sharedGolden("albert-qa-mini.jsonl"));
    models = await loadForms("albert-qa-mini", tmp.dir);
    for (const [key, m] of models) outputs.set(key, await m.run(golden.map((g) => ({ ids: g.ids, typeIds: g.token_type_ids }))));
  }, 300_000);
  afterAll(async () => {
    for (const m of models.values()) await m.dispose();
    tmp.cleanup();
  });

  it("converts to a question_answering manifest (no labels) with [S × 2] token logits", () => {
    for (const m of models.values()) {
      expect(m.manifest.task).toBe("question_answering");
      expect(m.manifest.labels).toEqual([]);
    }
    const out = outputs.get("int8/wasm")![0]!;
    expect(out.tokenLogits).toHaveLength(golden[0]!.ids.length * 2);
    expect(out.logits).toBeUndefined();
  });

  it("the span rule reproduces the golden best span from the golden logits", () => {
    for (const g of golden) {
      const s = bestSpan(g.start_logits, g.end_logits, g.token_type_ids);
      expect([s.start, s.end]).toEqual([g.best.start_token, g.best.end_token]);
      expect(s.score).toBeCloseTo(g.best.score_logit_sum, 4);
    }
  });

  it.each(FORMS.flatMap((f) => ENGINES.map((e) => [f, e] as const)))("%s shards on %s", (form, engine) => {
    const got = outputs.get(`${form}/${engine}`)!;
    let maxDelta = 0;
    let clear = 0;
    let same = 0;
    let sameAll = 0;
    golden.forEach((g, i) => {
      const out = got[i]!;
      maxDelta = Math.max(maxDelta, maxAbsDiff(column(out.tokenLogits!, 2, 0), g.start_logits), maxAbsDiff(column(out.tokenLogits!, 2, 1), g.end_logits));
      const ref = bestSpan(g.start_logits, g.end_logits, g.token_type_ids);
      const mine = spanOf(out, g);
      const equal = mine.start === ref.start && mine.end === ref.end;
      sameAll += equal ? 1 : 0;
      if (ref.score - ref.runnerUp >= 0.25) {
        clear++;
        same += equal ? 1 : 0;
      }
    });
    console.log(
      `[heads] albert-qa-mini ${form} on ${models.get(`${form}/${engine}`)!.engine}: max |Δlogit| ${maxDelta.toExponential(3)}, ` +
        `best span equal on ${same}/${clear} clear pairs (${((100 * same) / clear).toFixed(1)}%), ${sameAll}/${golden.length} overall`,
    );
    expect(clear).toBeGreaterThanOrEqual(20);
    if (form === "fp32") {
      expect(maxDelta).toBeLessThanOrEqual(1e-3);
      expect(sameAll).toBe(golden.length);
    } else expect(same / clear).toBeGreaterThanOrEqual(0.9);
  });

  it.each(FORMS)("both engines give the same best span on %s shards", (form) => {
    const a = outputs.get(`${form}/wasm`)!;
    const b = outputs.get(`${form}/ort`)!;
    let same = 0;
    golden.forEach((g, i) => {
      const x = spanOf(a[i]!, g);
      const y = spanOf(b[i]!, g);
      same += x.start === y.start && x.end === y.end ? 1 : 0;
    });
    console.log(`[heads] albert-qa-mini ${form}: engines give the same best span on ${same}/${golden.length} pairs`);
    expect(same / golden.length).toBeGreaterThanOrEqual(form === "fp32" ? 1 : 0.9);
  });

  it("token types matter: the same ids with all-zero types give other logits", async () => {
    const m = models.get("fp32/wasm")!;
    const g = golden[0]!;
    const [typed, untyped] = await m.run([{ ids: g.ids, typeIds: g.token_type_ids }, { ids: g.ids }]);
    expect(maxAbsDiff(typed!.tokenLogits!, untyped!.tokenLogits!)).toBeGreaterThan(1e-2);
  });

  it("classify() refuses a question answering model with a TypeError", async () => {
    await expect(models.get("int8/ort")!.classify(["who?"])).rejects.toThrow(/question_answering model \(no sequence classifier head\)/);
  });
});
