/**
 * @module test/unit/model/parity-sst2-mini
 * Parity with the independent fp32 reference on ../shared: convert albert-sst2-mini (fp32 and
 * int8 forms) into temp dirs and classify the 300 golden texts end to end (real tokenizer, every
 * text alone at its own length) on both engines. fp32 shards (our engine runs them in fp32 too):
 * max |Δlogit| ≤ 1e-3 on both. Every int8 form on both engines: same argmax on ≥ 99%, max
 * |Δlogit| ≤ 0.25 — default (int8 dynamic, fused graph), weight-only int8 (`--int8-matmul
 * dequantize`), int8 dynamic in a plain-ONNX graph (`--graph plain`).
 * Our engine's other kernel paths give the same GEMM integers: the relaxed path without VNNI is
 * bit-identical to the default; the plain SIMD128 build (mul + add instead of FMA in fp32 code)
 * differs by float rounding only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlbertModel } from "../../../src/model/index.ts";
import { loadModelDir, type EngineName } from "../../../src/node/load-model.ts";
import { argmaxOf, convertQuietly, maxAbsDiff } from "../../support/model-helpers.ts";
import { sharedAvailable, sst2MiniDir, sst2MiniGolden, tempDir } from "../../support/paths.ts";

interface Golden {
  text: string;
  ids: number[];
  logits: number[];
  label: number;
}

const FORMATS = ["fp32", "int8", "int8-dequantize", "int8-plain"] as const;
type Format = (typeof FORMATS)[number];
const OPTIONS: Record<Format, Parameters<typeof convertQuietly>[2]> = {
  fp32: { fp32: true },
  int8: {},
  "int8-dequantize": { int8Matmul: "dequantize" },
  "int8-plain": { graph: "plain" },
};

describe.skipIf(!sharedAvailable())("albert-sst2-mini parity with the fp32 reference", () => {
  const tmp = tempDir("parity");
  let golden: Golden[] = [];
  const models = new Map<string, AlbertModel>();
  const model = (format: Format, engine: EngineName): AlbertModel => models.get(`${format}/${engine}`) as AlbertModel;

  beforeAll(async () => {
    golden = readFileSync(sst2MiniGolden, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Golden);
    for (const format of FORMATS) {
      await convertQuietly(sst2MiniDir, join(tmp.dir, format), OPTIONS[format]);
      for (const engine of ["ort", "wasm"] as const) models.set(`${format}/${engine}`, await loadModelDir(join(tmp.dir, format), { engine }));
    }
  }, 600_000);
  afterAll(async () => {
    for (const m of models.values()) await m.dispose();
    tmp.cleanup();
  });

  it("tokenizes the golden texts to the golden ids (truncated to 512)", () => {
    const m = model("fp32", "wasm");
    const bad = golden.filter((g) => JSON.stringify(m.tokenize(g.text).ids) !== JSON.stringify(g.ids));
    expect(bad.map((g) => g.text.slice(0, 60))).toEqual([]);
    expect(golden.some((g) => m.tokenize(g.text).truncated)).toBe(true);
  });

  const cases = FORMATS.flatMap((format) => (["ort", "wasm"] as const).map((engine) => [format, engine] as const));
  it.each(cases)("%s shards on %s: classify(texts) matches the golden logits", async (format, engine) => {
    const m = model(format, engine);
    const started = performance.now();
    const results = await m.classify(golden.map((g) => g.text));
    const ms = performance.now() - started;
    let maxDelta = 0;
    let agree = 0;
    results.forEach((r, i) => {
      const g = golden[i] as Golden;
      maxDelta = Math.max(maxDelta, maxAbsDiff(r.logits, g.logits));
      if (argmaxOf(r.logits) === argmaxOf(g.logits)) agree++;
      expect(r.tokens).toBe(g.ids.length);
      expect(r.label).toBe(m.manifest.labels[argmaxOf(r.logits)]);
    });
    const agreement = agree / golden.length;
    console.log(
      `[parity] albert-sst2-mini ${format} on ${m.engine}: max |Δlogit| = ${maxDelta.toExponential(3)}, argmax agreement ${agree}/${golden.length} ` +
        `(${(agreement * 100).toFixed(2)}%), ${golden.length} texts in ${(ms / 1000).toFixed(1)} s ` +
        `(tokenize ${results.timings.tokenizeMs.toFixed(0)} ms, model ${results.timings.modelMs.toFixed(0)} ms)`,
    );
    if (format === "fp32") {
      expect(maxDelta).toBeLessThanOrEqual(1e-3);
      expect(agree).toBe(golden.length);
    } else {
      expect(maxDelta).toBeLessThanOrEqual(0.25);
      expect(agreement).toBeGreaterThanOrEqual(0.99);
    }
  }, 600_000);

  it.each(["relaxed", "simd128"] as const)("our %s kernel path gives the default path's logits on the golden ids", async (kernel) => {
    const other = await loadModelDir(join(tmp.dir, "int8"), { kernel });
    try {
      const base = model("int8", "wasm");
      let maxDelta = 0;
      // Every SST-2 sentence and a few long reviews (the last 50 goldens are IMDB).
      for (const g of [...golden.slice(0, 250), ...golden.slice(250, 260)]) {
        maxDelta = Math.max(maxDelta, maxAbsDiff((await other.forward(g.ids)).logits ?? [], (await base.forward(g.ids)).logits ?? []));
      }
      console.log(`[parity] ${other.engine} vs ${base.engine}: max |Δlogit| = ${maxDelta.toExponential(3)}`);
      expect(other.engine).toBe(`wasm-simd/${kernel}`);
      if (kernel === "relaxed") expect(maxDelta).toBe(0);
      else expect(maxDelta).toBeLessThanOrEqual(0.02);
    } finally {
      await other.dispose();
    }
  });
});
