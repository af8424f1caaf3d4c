/**
 * @module test/unit/model/heads-manifest
 * The heads in the converter and the manifest, on small synthetic checkpoints: the head is
 * detected from config.json `architectures` and from the tensors present (a `classifier` without
 * a pooler is a token classifier, `qa_outputs` is QA); the manifest carries the task, labels and
 * (feature_extraction only) `pooling`; both engines give the shape each task promises; and every
 * checkpoint the converter cannot serve, or option it cannot honour, is a ConvertError naming
 * the cause. parseManifest rejects bad combinations by field.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConvertError } from "../../../src/convert/errors.ts";
import { parseManifest, tokenColumns, type Manifest } from "../../../src/model/manifest.ts";
import { generateCheckpoint, SMALL_SHAPE, type GenerateOptions } from "../../support/checkpoint-generator.ts";
import { convertQuietly, loadWithIds, maxAbsDiff, randomIds } from "../../support/model-helpers.ts";
import { tempDir } from "../../support/paths.ts";
import { Rng } from "../../support/random.ts";
import { referenceForward } from "../../support/reference-albert.ts";

const tmp = tempDir("heads-manifest");
afterAll(() => tmp.cleanup());
let n = 0;

type Tensors = Map<string, { shape: number[]; data: Float32Array }>;
const dropPooler = (t: Tensors): void => {
  t.delete("albert.pooler.weight");
  t.delete("albert.pooler.bias");
};
const renameClassifier = (to: string) => (t: Tensors): void => {
  for (const p of ["weight", "bias"]) {
    t.set(`${to}.${p}`, t.get(`classifier.${p}`)!);
    t.delete(`classifier.${p}`);
  }
};

function checkpoint(options: Partial<GenerateOptions>): string {
  return generateCheckpoint(join(tmp.dir, `ck${n++}`), { shape: SMALL_SHAPE, seed: 40 + n, ...options }).dir;
}

async function convert(ck: string, options: Parameters<typeof convertQuietly>[2] = {}): Promise<Manifest> {
  const out = join(tmp.dir, `out${n++}`);
  await convertQuietly(ck, out, options);
  return JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as Manifest;
}

const NER = { numLabels: 3, labelNames: ["O", "B-X", "I-X"], configOverrides: { architectures: ["AlbertForTokenClassification"] }, mutate: dropPooler };
const QA = { numLabels: 2, configOverrides: { architectures: ["AlbertForQuestionAnswering"] }, mutate: (t: Tensors) => (dropPooler(t), renameClassifier("qa_outputs")(t)) };

describe("head detection", () => {
  it.each([
    ["AlbertForTokenClassification", NER, "token_classification", ["O", "B-X", "I-X"]],
    ["classifier.* without a pooler, no architectures", { ...NER, configOverrides: { architectures: [] } }, "token_classification", ["O", "B-X", "I-X"]],
    ["AlbertForQuestionAnswering", QA, "question_answering", []],
    ["qa_outputs.*, no architectures", { ...QA, configOverrides: { architectures: [] } }, "question_answering", []],
    ["classifier.* with a pooler, no architectures", { numLabels: 2, configOverrides: { architectures: [] } }, "single_label_classification", ["LABEL_0", "LABEL_1"]],
    ["AlbertModel", {}, "feature_extraction", []],
  ] as const)("%s", async (_name, options, task, labels) => {
    const m = await convert(checkpoint(options as Partial<GenerateOptions>));
    expect(m.task).toBe(task);
    expect(m.labels).toEqual(labels);
    expect(m.pooling).toBe(task === "feature_extraction" ? "mean" : undefined);
    expect(parseManifest(structuredClone(m))).toEqual(m);
  });

  it("both engines give each task's outputs with the promised shapes (fp32: fused graph for NER, plain for QA)", async () => {
    const rng = new Rng(7);
    const ids = randomIds(() => rng.next(), SMALL_SHAPE.vocab_size, 11);
    const typeIds = ids.map((_, i) => (i < 5 ? 0 : 1));
    for (const [options, columns, graph] of [[NER, 3, "fused"], [QA, 2, "plain"]] as const) {
      const out = join(tmp.dir, `out${n++}`);
      await convertQuietly(checkpoint(options), out, { fp32: true, graph });
      const results = [];
      for (const engine of ["wasm", "ort"] as const) {
        const model = await loadWithIds(out, { engine });
        const [o] = await model.run([{ ids, typeIds }]);
        expect(o!.tokenLogits).toHaveLength(ids.length * columns);
        expect(o!.logits ?? o!.pooled ?? o!.mean).toBeUndefined();
        results.push(o!.tokenLogits!);
        await model.dispose();
      }
      expect(maxAbsDiff(results[0]!, results[1]!)).toBeLessThanOrEqual(1e-4);
    }
    expect([tokenColumns("token_classification", ["a", "b", "c"]), tokenColumns("question_answering", []), tokenColumns("single_label_classification", ["a", "b"])]).toEqual([3, 2, 0]);
  });

  it.each(["wasm", "ort"] as const)("run() on %s rejects bad token types with a RangeError naming them", async (engine) => {
    const out = join(tmp.dir, `out${n++}`);
    await convertQuietly(checkpoint(QA), out);
    const model = await loadWithIds(out, { engine });
    try {
      await expect(model.run([{ ids: [2, 5, 6, 3], typeIds: [0, 1] }])).rejects.toThrow(/2 token types for 4 tokens/);
      await expect(model.run([{ ids: [2, 5, 6, 3], typeIds: [0, 0, 2, 1] }])).rejects.toThrow(RangeError);
      await expect(model.run([{ ids: [2, 5, 6, 3], typeIds: [0, 0, 2, 1] }])).rejects.toThrow(/token type 2 outside \[0, 2\)/);
      expect(await model.run([])).toEqual([]);
    } finally {
      await model.dispose();
    }
  });

  it("a manifest without `pooling` (written before the field) embeds with the pooled [CLS]", async () => {
    const gen = generateCheckpoint(join(tmp.dir, `ck${n++}`), { shape: SMALL_SHAPE, seed: 3 });
    const out = join(tmp.dir, `out${n++}`);
    await convertQuietly(gen.dir, out, { fp32: true });
    const path = join(out, "manifest.json");
    const m = JSON.parse(readFileSync(path, "utf8")) as Manifest;
    delete m.pooling;
    writeFileSync(path, JSON.stringify(m));
    const model = await loadWithIds(out, { engine: "ort" });
    try {
      const [e] = await model.embed(["5 6 7"]);
      const ref = referenceForward(gen.weights, gen.shape, [2, 5, 6, 7, 3]);
      expect(maxAbsDiff(e!.embedding, ref.pooled)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(e!.embedding, ref.mean)).toBeGreaterThan(1e-2);
    } finally {
      await model.dispose();
    }
  });
});

describe("converter errors", () => {
  const wrongWidth = (name: string) => (t: Tensors): void => {
    t.set(`${name}.weight`, { shape: [3, 32], data: new Float32Array(96) });
  };
  it.each([
    ["token classifier with a classifier of the wrong width", { ...NER, mutate: (t: Tensors) => (dropPooler(t), wrongWidth("classifier")(t)) }, {}, /tensor "classifier\.weight" has shape \[3, 32\], expected \[n, 64\]/],
    ["token classifier whose rows disagree with id2label", { ...NER, labelNames: ["O", "B-X", "I-X", "B-Y"], numLabels: 3 }, {}, /classifier\.weight" has shape \[3, 64\], expected \[4, 64\] \(config\.json id2label has 4 labels\)/],
    ["QA with three qa_outputs rows", { ...QA, numLabels: 3 }, {}, /qa_outputs\.weight" has shape \[3, 64\], expected \[2, 64\]/],
    ["AlbertForTokenClassification without classifier tensors", { configOverrides: { architectures: ["AlbertForTokenClassification"] } }, {}, /missing tensor "classifier\.weight" \(config\.json says AlbertForTokenClassification\)/],
    ["sequence classifier without a pooler", { numLabels: 2, mutate: dropPooler, configOverrides: { architectures: ["AlbertForSequenceClassification"] } }, {}, /missing tensor "albert\.pooler\.weight"/],
    ["AlbertForMultipleChoice", { numLabels: 1, configOverrides: { architectures: ["AlbertForMultipleChoice"] } }, {}, /AlbertForMultipleChoice checkpoints are not supported/],
    ["--pooling cls without a pooler", { mutate: (t: Tensors) => (t.delete("pooler.weight"), t.delete("pooler.bias")) }, { pooling: "cls" }, /--pooling cls needs the pooler/],
    ["--pooling on a token classifier", NER, { pooling: "mean" }, /--pooling is only for AlbertModel/],
    ["early exit on a token classifier", NER, { earlyExitPatience: 2 }, /early exit needs a sequence classifier head; this checkpoint's task is token_classification/],
    ["--aggregation on a sequence classifier", { numLabels: 2 }, { aggregation: "first" }, /--aggregation is only for token classification checkpoints; this one's task is single_label_classification/],
    ["an unknown aggregation", NER, { aggregation: "average" }, /aggregation must be one of none, simple, first, max \(got "average"\)/],
    ["--decoding on a sequence classifier", { numLabels: 2 }, { decoding: "bio" }, /--decoding is only for token classification checkpoints; this one's task is single_label_classification/],
    ["an unknown decoding", NER, { decoding: "crf" }, /decoding must be one of argmax, bio \(got "crf"\)/],
  ] as const)("%s", async (_name, options, convertOptions, message) => {
    const ck = checkpoint(options as Partial<GenerateOptions>);
    const p = convert(ck, convertOptions as Parameters<typeof convertQuietly>[2]);
    await expect(p).rejects.toThrow(ConvertError);
    await expect(p).rejects.toThrow(message);
  });
});

describe("parseManifest: the new tasks and pooling", () => {
  let base: Manifest | undefined;
  const manifest = async (): Promise<Manifest> => (base ??= await convert(checkpoint(NER)));
  const edits: [string, (m: Manifest) => void, RegExp][] = [
    ["question_answering with labels", (m) => void (m.task = "question_answering"), /labels must be empty for question_answering/],
    ["token_classification without labels", (m) => void (m.labels = []), /labels must not be empty/],
    ["pooling on a token classifier", (m) => void (m.pooling = "mean"), /pooling is only for feature_extraction models \(task is token_classification\)/],
    [
      "an unknown pooling",
      (m) => {
        m.task = "feature_extraction";
        m.labels = [];
        (m as { pooling: string }).pooling = "max";
      },
      /pooling must be one of mean, cls/,
    ],
    ["early exit on a token classifier", (m) => void (m.early_exit = { patience: 2 }), /early_exit needs a sequence classifier head \(task is token_classification\)/],
    ["an unknown aggregation", (m) => void ((m as { aggregation: string }).aggregation = "average"), /aggregation must be one of none, simple, first, max/],
    [
      "aggregation on a sequence classifier",
      (m) => {
        m.task = "single_label_classification";
        m.aggregation = "first";
      },
      /aggregation is only for token_classification models \(task is single_label_classification\)/,
    ],
    ["an unknown decoding", (m) => void ((m as { decoding: string }).decoding = "crf"), /decoding must be one of argmax, bio/],
    [
      "decoding on a sequence classifier",
      (m) => {
        m.task = "single_label_classification";
        m.decoding = "bio";
      },
      /decoding is only for token_classification models \(task is single_label_classification\)/,
    ],
  ];
  it.each(edits)("rejects %s", async (_name, edit, message) => {
    const m = structuredClone(await manifest());
    edit(m);
    expect(() => parseManifest(m)).toThrow(message);
  });
  it("a token classifier's default aggregation: in the manifest and its content version", async () => {
    const ck = checkpoint(NER);
    const plain = await convert(ck);
    const first = await convert(ck, { aggregation: "first" });
    expect(plain.aggregation).toBeUndefined();
    expect(first.aggregation).toBe("first");
    expect(first.shards).toEqual(plain.shards);
    expect(first.version).not.toBe(plain.version);
    expect(parseManifest(structuredClone(first))).toEqual(first);
  });

  it("a token classifier's default decoding: in the manifest and its content version", async () => {
    const ck = checkpoint(NER);
    const plain = await convert(ck, { aggregation: "first" });
    const bio = await convert(ck, { aggregation: "first", decoding: "bio" });
    expect(plain.decoding).toBeUndefined();
    expect(bio.decoding).toBe("bio");
    expect(bio.shards).toEqual(plain.shards);
    expect(bio.version).not.toBe(plain.version);
    expect(parseManifest(structuredClone(bio))).toEqual(bio);
  });

  it("accepts feature_extraction with either pooling and without one", async () => {
    const m = structuredClone(await manifest());
    m.task = "feature_extraction";
    m.labels = [];
    for (const pooling of ["mean", "cls", undefined] as const) {
      if (pooling === undefined) delete m.pooling;
      else m.pooling = pooling;
      expect(parseManifest(structuredClone(m)).pooling).toBe(pooling);
    }
  });
});
