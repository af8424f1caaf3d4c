/**
 * @module test/unit/model/case-token-types
 * Capitalisation through token types, end to end on a synthetic token classifier with the real
 * vocabulary: config.json `case_token_types: true` → converter → manifest `tokenizer.case_token_types`
 * (and a different content version) → the tokenizer marks capitalised tokens → both engines get
 * those types (entity logits change with case, and equal `run` with the encoding's types). Bad
 * uses are errors naming the field: on other heads, non-boolean values, pairs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConvertError } from "../../../src/convert/errors.ts";
import { recognizeEntities } from "../../../src/model/entities.ts";
import { parseManifest, type Manifest } from "../../../src/model/manifest.ts";
import { loadModelDir } from "../../../src/node/load-model.ts";
import { TokenizerError } from "../../../src/tokenizer/index.ts";
import { generateCheckpoint, SMALL_SHAPE, type GenerateOptions } from "../../support/checkpoint-generator.ts";
import { convertQuietly, maxAbsDiff } from "../../support/model-helpers.ts";
import { tempDir } from "../../support/paths.ts";

const tmp = tempDir("case-types");
afterAll(() => tmp.cleanup());
let n = 0;

const SHAPE = { ...SMALL_SHAPE, vocab_size: 30000, max_position_embeddings: 128 };
const LABELS = ["O", "B-PER", "I-PER"];
type Tensors = Map<string, { shape: number[]; data: Float32Array }>;
const NER: Partial<GenerateOptions> = {
  numLabels: 3,
  labelNames: LABELS,
  configOverrides: { architectures: ["AlbertForTokenClassification"] },
  mutate: (t: Tensors) => (t.delete("albert.pooler.weight"), t.delete("albert.pooler.bias")),
};

async function convert(options: Partial<GenerateOptions>, convertOptions: Parameters<typeof convertQuietly>[2] = {}): Promise<{ dir: string; manifest: Manifest }> {
  const ck = generateCheckpoint(join(tmp.dir, `ck${n++}`), { shape: SHAPE, seed: 7, ...options }).dir;
  const dir = join(tmp.dir, `out${n++}`);
  await convertQuietly(ck, dir, convertOptions);
  return { dir, manifest: JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest };
}

const withCase = (o: Partial<GenerateOptions>, value: unknown = true): Partial<GenerateOptions> => ({ ...o, configOverrides: { ...o.configOverrides, case_token_types: value } });
const TEXT = "Alan Shearer joined Newcastle";

describe("case token types, converter to engines", () => {
  it.each(["wasm", "ort"] as const)("reach the %s engine and change the token logits; plain models are unchanged", async (engine) => {
    const cased = await convert(withCase(NER), { fp32: true });
    const plain = await convert(NER, { fp32: true });
    expect(cased.manifest.tokenizer.case_token_types).toBe(true);
    expect(plain.manifest.tokenizer.case_token_types).toBeUndefined();
    expect(cased.manifest.version).not.toBe(plain.manifest.version);
    expect(parseManifest(structuredClone(cased.manifest))).toEqual(cased.manifest);

    const model = await loadModelDir(cased.dir, { engine });
    const reference = await loadModelDir(plain.dir, { engine });
    try {
      const encoding = model.tokenize(TEXT);
      expect(encoding.pieces).toEqual(["[CLS]", "▁alan", "▁shear", "er", "▁joined", "▁newcastle", "[SEP]"]);
      expect(encoding.typeIds).toEqual([0, 1, 1, 0, 0, 1, 0]);
      expect(reference.tokenize(TEXT).typeIds).toEqual([0, 0, 0, 0, 0, 0, 0]);

      const [upper, lower] = (await recognizeEntities(model, [TEXT, TEXT.toLowerCase()], "none")).results;
      const [withTypes, zeros] = await model.run([{ ids: encoding.ids, typeIds: encoding.typeIds }, { ids: encoding.ids }]);
      expect(upper!.ids).toEqual(lower!.ids);
      expect(maxAbsDiff(upper!.tokenLogits.flat(), withTypes!.tokenLogits!)).toBe(0);
      expect(maxAbsDiff(upper!.tokenLogits.flat(), zeros!.tokenLogits!)).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(lower!.tokenLogits.flat(), zeros!.tokenLogits!)).toBe(0);

      const [plainUpper, plainLower] = (await recognizeEntities(reference, [TEXT, TEXT.toLowerCase()], "none")).results;
      expect(maxAbsDiff(plainUpper!.tokenLogits.flat(), plainLower!.tokenLogits.flat())).toBe(0);

      expect(() => model.tokenizePair("Who joined?", TEXT)).toThrow(TokenizerError);
    } finally {
      await model.dispose();
      await reference.dispose();
    }
  });
});

describe("case token types, errors", () => {
  it.each([
    ["on a sequence classifier", withCase({ numLabels: 2 }), /"case_token_types" is only for token classification checkpoints \(this one is single_label_classification\)/],
    ["not a boolean", withCase(NER, "yes"), /"case_token_types" must be a boolean/],
    ["with one token type", withCase({ ...NER, shape: { ...SHAPE, type_vocab_size: 1 } }), /"case_token_types" needs type_vocab_size >= 2/],
  ] as const)("the converter refuses case_token_types %s", async (_name, options, message) => {
    const p = convert(options);
    await expect(p).rejects.toThrow(ConvertError);
    await expect(p).rejects.toThrow(message);
  });

  it("parseManifest refuses it on other tasks and with other values", async () => {
    const { manifest } = await convert(withCase(NER));
    const edits: [(m: Manifest) => void, RegExp][] = [
      [(m) => ((m.task = "single_label_classification"), (m.labels = ["a", "b"])), /tokenizer\.case_token_types is only for token_classification models \(task is single_label_classification\)/],
      [(m) => ((m.tokenizer as { case_token_types: unknown }).case_token_types = false), /tokenizer\.case_token_types must be true when present/],
    ];
    for (const [edit, message] of edits) {
      const m = structuredClone(manifest);
      edit(m);
      expect(() => parseManifest(m)).toThrow(message);
    }
  });
});
