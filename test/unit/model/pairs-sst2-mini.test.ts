/**
 * @module test/unit/model/pairs-sst2-mini
 * Sentence pairs through a sequence classifier against the fp32 reference on ../shared:
 * albert-sst2-mini in fp32 and int8 shards, the 20 golden `[CLS] a [SEP] b [SEP]` pairs with
 * their token types (0 then 1) through `model.run` on both engines. fp32: logits within 1e-3
 * (which needs the token types: with all-zero types they are off). int8: logits within 0.25,
 * same label as the golden on ≥ 95% of pairs and as the other engine. Our engine's stacked run
 * (forwardMany) is bit-identical to one sequence at a time with the types.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlbertModel, RunOutputs } from "../../../src/model/index.ts";
import { ENGINES, FORMS, loadForms, readJsonl } from "../../support/heads-golden.ts";
import { argmaxOf, maxAbsDiff } from "../../support/model-helpers.ts";
import { sharedGolden, sharedPairAvailable, tempDir } from "../../support/paths.ts";

interface Golden {
  text: string;
  text_pair: string;
  ids: number[];
  token_type_ids: number[];
  logits: number[];
}

describe.skipIf(!sharedPairAvailable("albert-sst2-mini", "albert-sst2-mini.pairs.jsonl"))("albert-sst2-mini: sentence pairs (token types) vs the fp32 reference", () => {
  const tmp = tempDir("pairs");
  let golden: Golden[] = [];
  let models = new Map<string, AlbertModel>();
  const outputs = new Map<string, RunOutputs>();

  beforeAll(async () => {
    golden = readJsonl<Golden>(sharedGolden("albert-sst2-mini.pairs.jsonl"));
    models = await loadForms("albert-sst2-mini", tmp.dir);
    for (const [key, m] of models) outputs.set(key, await m.run(golden.map((g) => ({ ids: g.ids, typeIds: g.token_type_ids }))));
  }, 300_000);
  afterAll(async () => {
    for (const m of models.values()) await m.dispose();
    tmp.cleanup();
  });

  it("the goldens are real pairs (both token types present)", () => {
    for (const g of golden) expect(new Set(g.token_type_ids)).toEqual(new Set([0, 1]));
  });

  it.each(FORMS.flatMap((f) => ENGINES.map((e) => [f, e] as const)))("%s shards on %s", (form, engine) => {
    const got = outputs.get(`${form}/${engine}`)!;
    let maxDelta = 0;
    let agree = 0;
    golden.forEach((g, i) => {
      const logits = got[i]!.logits!;
      maxDelta = Math.max(maxDelta, maxAbsDiff(logits, g.logits));
      agree += argmaxOf(logits) === argmaxOf(g.logits) ? 1 : 0;
    });
    console.log(`[heads] albert-sst2-mini pairs ${form} on ${models.get(`${form}/${engine}`)!.engine}: max |Δlogit| ${maxDelta.toExponential(3)}, argmax ${agree}/${golden.length}`);
    if (form === "fp32") {
      expect(maxDelta).toBeLessThanOrEqual(1e-3);
      expect(agree).toBe(golden.length);
    } else {
      expect(maxDelta).toBeLessThanOrEqual(0.25);
      expect(agree / golden.length).toBeGreaterThanOrEqual(0.95);
    }
  });

  it.each(FORMS)("both engines give the same label on %s shards", (form) => {
    const a = outputs.get(`${form}/wasm`)!;
    const b = outputs.get(`${form}/ort`)!;
    const same = golden.filter((_, i) => argmaxOf(a[i]!.logits!) === argmaxOf(b[i]!.logits!)).length;
    expect(same / golden.length).toBeGreaterThanOrEqual(form === "fp32" ? 1 : 0.95);
  });

  it.each(ENGINES)("token types reach the embeddings on %s: all-zero types miss the golden", async (engine) => {
    const m = models.get(`fp32/${engine}`)!;
    const some = golden.slice(0, 5);
    const untyped = await m.run(some.map((g) => ({ ids: g.ids })));
    const worst = Math.max(...some.map((g, i) => maxAbsDiff(untyped[i]!.logits!, g.logits)));
    expect(worst).toBeGreaterThan(1e-2);
  });

  it("our engine: one stacked run equals one sequence at a time, token types included", async () => {
    for (const form of FORMS) {
      const m = models.get(`${form}/wasm`)!;
      const stacked = outputs.get(`${form}/wasm`)!;
      for (const [i, g] of golden.slice(0, 8).entries()) {
        const alone = await m.forward(g.ids, g.token_type_ids);
        expect(Array.from(alone.logits!)).toEqual(Array.from(stacked[i]!.logits!));
      }
    }
    expect(outputs.get("int8/wasm")!.timings.modelMs).toBeGreaterThan(0);
  });
});
