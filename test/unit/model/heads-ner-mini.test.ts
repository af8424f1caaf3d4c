/**
 * @module test/unit/model/heads-ner-mini
 * Token classification (AlbertForTokenClassification, no pooler) against the fp32 reference
 * on ../shared: albert-ner-mini converted to fp32 and int8 shards, the 72 golden id sequences
 * through `model.run` on both engines. fp32: every token logit within 1e-3. int8: per-token
 * argmax equal to the golden's on ≥ 98% of tokens. Both engines agree on the argmax.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlbertModel, SequenceOutput } from "../../../src/model/index.ts";
import { ENGINES, FORMS, loadForms, readJsonl, rowArgmax } from "../../support/heads-golden.ts";
import { maxAbsDiff } from "../../support/model-helpers.ts";
import { sharedGolden, sharedPairAvailable, tempDir } from "../../support/paths.ts";

interface Golden {
  text: string;
  ids: number[];
  token_logits: number[][];
}

const LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"];

describe.skipIf(!sharedPairAvailable("albert-ner-mini", "albert-ner-mini.jsonl"))("albert-ner-mini: token classification vs the fp32 reference", () => {
  const tmp = tempDir("heads-ner");
  let golden: Golden[] = [];
  let models = new Map<string, AlbertModel>();
  const outputs = new Map<string, SequenceOutput[]>();

  beforeAll(async () => {
    golden = readJsonl<Golden>(sharedGolden("albert-ner-mini.jsonl"));
    models = await loadForms("albert-ner-mini", tmp.dir);
    for (const [key, m] of models) outputs.set(key, await m.run(golden.map((g) => ({ ids: g.ids }))));
  }, 300_000);
  afterAll(async () => {
    for (const m of models.values()) await m.dispose();
    tmp.cleanup();
  });

  it("converts to a token_classification manifest with id2label in order and no pooler output", () => {
    for (const m of models.values()) {
      expect(m.manifest.task).toBe("token_classification");
      expect(m.manifest.labels).toEqual(LABELS);
      expect(m.manifest.pooling).toBeUndefined();
    }
    const out = outputs.get("int8/wasm")![0]!;
    expect(out.tokenLogits).toHaveLength(golden[0]!.ids.length * LABELS.length);
    expect(out.logits).toBeUndefined();
    expect(out.pooled).toBeUndefined();
  });

  it.each(FORMS.flatMap((f) => ENGINES.map((e) => [f, e] as const)))("%s shards on %s", (form, engine) => {
    const got = outputs.get(`${form}/${engine}`)!;
    let maxDelta = 0;
    let agree = 0;
    let tokens = 0;
    golden.forEach((g, i) => {
      const logits = got[i]!.tokenLogits!;
      expect(logits).toHaveLength(g.ids.length * LABELS.length);
      maxDelta = Math.max(maxDelta, maxAbsDiff(logits, g.token_logits.flat()));
      const mine = rowArgmax(logits, LABELS.length);
      const theirs = rowArgmax(g.token_logits.flat(), LABELS.length);
      mine.forEach((a, t) => (agree += a === theirs[t] ? 1 : 0));
      tokens += mine.length;
    });
    console.log(`[heads] albert-ner-mini ${form} on ${models.get(`${form}/${engine}`)!.engine}: max |Δlogit| ${maxDelta.toExponential(3)}, token argmax ${agree}/${tokens} (${((100 * agree) / tokens).toFixed(2)}%)`);
    if (form === "fp32") {
      expect(maxDelta).toBeLessThanOrEqual(1e-3);
      expect(agree).toBe(tokens);
    } else expect(agree / tokens).toBeGreaterThanOrEqual(0.98);
  });

  it.each(FORMS)("both engines give the same token labels on %s shards", (form) => {
    const a = outputs.get(`${form}/wasm`)!;
    const b = outputs.get(`${form}/ort`)!;
    let same = 0;
    let tokens = 0;
    golden.forEach((_, i) => {
      const x = rowArgmax(a[i]!.tokenLogits!, LABELS.length);
      const y = rowArgmax(b[i]!.tokenLogits!, LABELS.length);
      x.forEach((v, t) => (same += v === y[t] ? 1 : 0));
      tokens += x.length;
    });
    console.log(`[heads] albert-ner-mini ${form}: engines agree on ${same}/${tokens} token labels`);
    expect(same / tokens).toBeGreaterThanOrEqual(form === "fp32" ? 1 : 0.98);
  });

  it("classify() and embed() refuse a token classification model with a TypeError", async () => {
    const m = models.get("int8/wasm")!;
    await expect(m.classify(["Angela Merkel"])).rejects.toThrow(TypeError);
    await expect(m.classify(["Angela Merkel"])).rejects.toThrow(/token_classification model \(no sequence classifier head\)/);
    await expect(m.embed(["Angela Merkel"])).rejects.toThrow(/token_classification/);
  });
});
