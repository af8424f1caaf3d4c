/**
 * @module test/unit/convert/cli-convert
 * `albert-edge convert` behaviour through its CLI entry: clear errors naming the file or tensor
 * with a non-zero exit and nothing left behind, progress on stderr, byte-identical output on
 * repeated conversion, replacing an earlier conversion but never an unrelated directory.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../../../src/cli/convert.ts";
import { generateCheckpoint, SMALL_SHAPE, type GenerateOptions } from "../../support/checkpoint-generator.ts";
import { tempDir } from "../../support/paths.ts";

const tmp = tempDir("cli-convert");
afterAll(() => tmp.cleanup());

let stderr = "";
beforeEach(() => {
  stderr = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

let counter = 0;
/** A fresh case directory holding `ck/` (the checkpoint); outputs go to `<case>/out/<name>`. */
function caseDir(options: Partial<GenerateOptions> = {}): { ck: string; outParent: string } {
  const dir = join(tmp.dir, `case${counter++}`);
  const ck = join(dir, "ck");
  generateCheckpoint(ck, { shape: SMALL_SHAPE, numLabels: 2, seed: counter, ...options });
  const outParent = join(dir, "out");
  mkdirSync(outParent);
  return { ck, outParent };
}

function filesOf(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]));
}

describe("convert errors: clear message, exit 1, no output directory", () => {
  const cases: [string, Partial<GenerateOptions>, ((ck: string) => void) | undefined, RegExp][] = [
    ["missing spiece.model", {}, (ck) => rmSync(join(ck, "spiece.model")), /missing file .*spiece\.model/],
    ["missing model.safetensors", {}, (ck) => rmSync(join(ck, "model.safetensors")), /missing file .*model\.safetensors/],
    ["missing config.json", {}, (ck) => rmSync(join(ck, "config.json")), /missing file .*config\.json/],
    ["unknown model_type", { configOverrides: { model_type: "bert" } }, undefined, /config\.json: unknown model_type "bert"/],
    [
      "wrong tensor shape",
      {
        mutate: (t) => {
          const name = "albert.encoder.albert_layer_groups.0.albert_layers.0.ffn.weight";
          t.set(name, { shape: [SMALL_SHAPE.intermediate_size, SMALL_SHAPE.hidden_size + 1], data: new Float32Array(SMALL_SHAPE.intermediate_size * (SMALL_SHAPE.hidden_size + 1)) });
        },
      },
      undefined,
      /model\.safetensors: tensor "albert\.encoder\.albert_layer_groups\.0\.albert_layers\.0\.ffn\.weight" has shape \[128, 65\], expected \[128, 64\]/,
    ],
    ["missing tensor", { mutate: (t) => void t.delete("albert.pooler.weight") }, undefined, /model\.safetensors: missing tensor "albert\.pooler\.weight"/],
    [
      "classifier rows disagree with id2label",
      { labelNames: ["a", "b", "c"] },
      undefined,
      /tensor "classifier\.weight" has shape \[2, 64\], expected \[3, 64\]/,
    ],
    ["corrupt safetensors header", {}, (ck) => writeFileSync(join(ck, "model.safetensors"), new Uint8Array(16).fill(0xff)), /model\.safetensors: header length/],
  ];

  it.each(cases)("%s", async (_name, options, damage, message) => {
    const { ck, outParent } = caseDir(options);
    damage?.(ck);
    const out = join(outParent, "model");
    const code = await run([ck, out]);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^albert-edge convert: error: /m);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(outParent)).toEqual([]); // no temp directory left beside it either
  });

  it("usage errors exit 2, saying what is wrong", async () => {
    for (const [argv, message] of [
      [[], /give <hf-checkpoint-dir> and <out-dir>/],
      [["a", "b", "c"], /give <hf-checkpoint-dir> and <out-dir>/],
      [["a", "b", "--bogus"], /Unknown option '--bogus'/],
      [["a", "b", "--int8-matmul", "fast"], /--int8-matmul must be dequantize or dynamic/],
      [["a", "b", "--graph", "tall"], /--graph must be fused or plain/],
      [["a", "b", "--pooling", "max"], /--pooling must be mean or cls/],
      [["a", "b", "--early-exit-patience", "0"], /--early-exit-patience must be an integer >= 1/],
      [["a", "b", "--id"], /Option '--id <value>' argument missing/],
    ] as const) {
      stderr = "";
      expect(await run([...argv])).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toContain("usage: albert-edge convert");
    }
  });

  it("refuses to replace a directory that is not a shard directory", async () => {
    const { ck, outParent } = caseDir();
    const out = join(outParent, "precious");
    mkdirSync(out);
    writeFileSync(join(out, "notes.txt"), "keep me");
    expect(await run([ck, out])).toBe(1);
    expect(stderr).toMatch(/not a shard directory/);
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("keep me");
  });
});

describe("convert output", () => {
  it("prints progress on stderr and is deterministic (byte-identical files on repeated conversion)", async () => {
    const { ck, outParent } = caseDir({ shape: { ...SMALL_SHAPE, num_hidden_groups: 3 } });
    const a = join(outParent, "a", "model");
    const b = join(outParent, "b", "model");
    expect(await run([ck, a])).toBe(0);
    expect(stderr).toMatch(/reading .*ck/);
    expect(stderr).toMatch(/block-2\.onnx: /);
    expect(stderr).toMatch(/wrote .*model: 6 shard file\(s\)/);
    expect(await run([ck, b])).toBe(0);
    const fa = filesOf(a);
    const fb = filesOf(b);
    expect([...fa.keys()]).toEqual(["block-0.onnx", "block-1.onnx", "block-2.onnx", "embeddings.onnx", "head.onnx", "manifest.json", "spiece.model"]);
    for (const [name, bytes] of fa) expect(bytes.equals(fb.get(name) as Buffer), name).toBe(true);

    // Converting again over an existing shard directory replaces it atomically, same bytes.
    expect(await run([ck, a])).toBe(0);
    for (const [name, bytes] of filesOf(a)) expect(bytes.equals(fb.get(name) as Buffer), name).toBe(true);
    expect(readdirSync(join(outParent, "a"))).toEqual(["model"]);
  });

  it("manifest: id from the directory name or --id, content version, tokenizer settings, quantization", async () => {
    const { ck, outParent } = caseDir({ tokenizerConfig: { do_lower_case: false, keep_accents: true } });
    const out = join(outParent, "my-model");
    expect(await run([ck, out])).toBe(0);
    const m1 = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(m1.id).toBe("my-model");
    expect(m1.tokenizer).toEqual({ lowercase: false, keep_accents: true, max_length: SMALL_SHAPE.max_position_embeddings });
    expect(m1.quantization).toBe("int8-per-channel");
    expect(m1.version).toMatch(/^[0-9a-f]{16}$/);
    expect(await run([ck, out, "--id", "renamed"])).toBe(0);
    const m2 = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(m2.id).toBe("renamed");
    expect(m2.version).toBe(m1.version); // the version hashes content, not the id
    expect(await run([ck, out, "--fp32"])).toBe(0);
    const m3 = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(m3.quantization).toBe("fp32");
    expect(m3.version).not.toBe(m1.version);
  });

  it("defaults do_lower_case=true, keep_accents=false without tokenizer_config.json", async () => {
    const { ck, outParent } = caseDir({ tokenizerConfig: null });
    const out = join(outParent, "m");
    expect(await run([ck, out])).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).tokenizer).toMatchObject({ lowercase: true, keep_accents: false });
    expect(stderr).toMatch(/tokenizer_config\.json not found/);
  });
});
