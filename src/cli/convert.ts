/**
 * @module cli/convert
 * `albert-edge convert <hf-checkpoint-dir> <out-dir> [--fp32] [--id <id>] [--int8-matmul dynamic|dequantize] [--graph fused|plain] [--early-exit-patience N] [--pooling mean|cls]`
 * Defaults: int8 dynamic (int8 × int8 matmuls) in a fused graph (onnxruntime contrib ops) — the
 * fastest in ORT-web WASM (bench/RESULTS.md). `--graph plain` writes standard ONNX ops only.
 * The head (sequence / token classification, question answering, AlbertModel) is detected from
 * the checkpoint; `--pooling` picks an AlbertModel's embedding (mean, the default, or cls).
 * Progress on stderr; exit 0 on success, 1 on a conversion error, 2 on bad usage.
 */
import { convertCheckpoint } from "../convert/convert.ts";
import { ConvertError } from "../convert/errors.ts";

const usage = "usage: albert-edge convert <hf-checkpoint-dir> <out-dir> [--fp32] [--id <id>] [--int8-matmul dynamic|dequantize] [--graph fused|plain] [--early-exit-patience N] [--pooling mean|cls]\n";

export async function run(argv: string[]): Promise<number> {
  const positional: string[] = [];
  let fp32 = false;
  let id: string | undefined;
  let int8Matmul: "dequantize" | "dynamic" | undefined;
  let graph: "fused" | "plain" | undefined;
  let earlyExitPatience: number | undefined;
  let pooling: "mean" | "cls" | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--fp32") fp32 = true;
    else if (a === "--id" || a === "--int8-matmul" || a === "--graph" || a === "--early-exit-patience" || a === "--pooling") {
      const v = argv[++i];
      if (v === undefined) {
        process.stderr.write(`${a} needs a value\n${usage}`);
        return 2;
      }
      if (a === "--id") id = v;
      else if (a === "--early-exit-patience") {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) {
          process.stderr.write(`--early-exit-patience must be an integer >= 1\n${usage}`);
          return 2;
        }
        earlyExitPatience = n;
      } else if (a === "--pooling") {
        if (v !== "mean" && v !== "cls") {
          process.stderr.write(`--pooling must be mean or cls\n${usage}`);
          return 2;
        }
        pooling = v;
      } else if (a === "--graph") {
        if (v !== "fused" && v !== "plain") {
          process.stderr.write(`--graph must be fused or plain\n${usage}`);
          return 2;
        }
        graph = v;
      } else if (v === "dequantize" || v === "dynamic") int8Matmul = v;
      else {
        process.stderr.write(`--int8-matmul must be dequantize or dynamic\n${usage}`);
        return 2;
      }
    } else if (a === "-h" || a === "--help") {
      process.stdout.write(usage);
      return 0;
    } else if (a.startsWith("-")) {
      process.stderr.write(`unknown option ${a}\n${usage}`);
      return 2;
    } else positional.push(a);
  }
  const [input, output] = positional;
  if (input === undefined || output === undefined || positional.length > 2) {
    process.stderr.write(usage);
    return 2;
  }
  const started = performance.now();
  try {
    await convertCheckpoint(input, output, {
      fp32,
      ...(id === undefined ? {} : { id }),
      ...(int8Matmul === undefined ? {} : { int8Matmul }),
      ...(graph === undefined ? {} : { graph }),
      ...(earlyExitPatience === undefined ? {} : { earlyExitPatience }),
      ...(pooling === undefined ? {} : { pooling }),
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (e) {
    if (e instanceof ConvertError) {
      process.stderr.write(`albert-edge convert: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  process.stderr.write(`done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}
