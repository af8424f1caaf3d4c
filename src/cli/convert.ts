/**
 * @module cli/convert
 * `albert-edge convert <hf-checkpoint-dir> <out-dir> [--fp32] [--id <id>] [--int8-matmul dynamic|dequantize] [--graph fused|plain] [--early-exit-patience N] [--pooling mean|cls] [--aggregation none|simple|first|max] [--decoding argmax|bio] [--thresholds label=T,...]`
 * Defaults: int8 dynamic (int8 × int8 matmuls) in a fused graph (onnxruntime contrib ops) — the
 * fastest in ORT-web WASM (bench/RESULTS.md). `--graph plain` writes standard ONNX ops only.
 * The head (sequence / token classification, question answering, AlbertModel) is detected from
 * the checkpoint; `--pooling` picks an AlbertModel's embedding (mean, the default, or cls);
 * `--aggregation` a token classifier's default entity strategy (absent: simple); `--decoding` its
 * default label decoding (absent: argmax; `bio`: the most probable valid IOB2 sequence).
 * `--thresholds` a multi-label classifier's per-label decision thresholds (absent: 0.5).
 * Progress on stderr; exit 0 on success, 1 on a conversion error, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import { convertCheckpoint } from "../convert/convert.ts";
import { ENTITY_DECODINGS, ENTITY_STRATEGIES, isEntityDecoding, isEntityStrategy } from "../heads/entities.ts";
import { ConvertError } from "../convert/errors.ts";
import { parseLabelThresholds } from "./label-thresholds.ts";

const usage = "usage: albert-edge convert <hf-checkpoint-dir> <out-dir> [--fp32] [--id <id>] [--int8-matmul dynamic|dequantize] [--graph fused|plain] [--early-exit-patience N] [--pooling mean|cls] [--aggregation none|simple|first|max] [--decoding argmax|bio] [--thresholds label=T,...]\n";

export async function run(argv: string[]): Promise<number> {
  const usageError = (message: string): number => (process.stderr.write(`${message}\n${usage}`), 2);
  let values: { fp32?: boolean; id?: string; "int8-matmul"?: string; graph?: string; "early-exit-patience"?: string; pooling?: string; aggregation?: string; decoding?: string; thresholds?: string; help?: boolean };
  let positional: string[];
  try {
    ({ values, positionals: positional } = parseArgs({
      args: argv,
      options: {
        fp32: { type: "boolean" },
        id: { type: "string" },
        "int8-matmul": { type: "string" },
        graph: { type: "string" },
        "early-exit-patience": { type: "string" },
        pooling: { type: "string" },
        aggregation: { type: "string" },
        decoding: { type: "string" },
        thresholds: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return usageError(e instanceof Error ? e.message : String(e));
  }
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const { fp32 = false, id, "int8-matmul": int8Matmul, graph, pooling, aggregation, decoding } = values;
  if (aggregation !== undefined && !isEntityStrategy(aggregation)) return usageError(`--aggregation must be one of ${ENTITY_STRATEGIES.join(", ")}`);
  if (decoding !== undefined && !isEntityDecoding(decoding)) return usageError(`--decoding must be one of ${ENTITY_DECODINGS.join(", ")}`);
  if (int8Matmul !== undefined && int8Matmul !== "dequantize" && int8Matmul !== "dynamic") return usageError("--int8-matmul must be dequantize or dynamic");
  if (graph !== undefined && graph !== "fused" && graph !== "plain") return usageError("--graph must be fused or plain");
  if (pooling !== undefined && pooling !== "mean" && pooling !== "cls") return usageError("--pooling must be mean or cls");
  const earlyExitPatience = values["early-exit-patience"] === undefined ? undefined : Number(values["early-exit-patience"]);
  if (earlyExitPatience !== undefined && (!Number.isInteger(earlyExitPatience) || earlyExitPatience < 1)) return usageError("--early-exit-patience must be an integer >= 1");
  let thresholds: Record<string, number> | undefined;
  try {
    thresholds = values.thresholds === undefined ? undefined : parseLabelThresholds(values.thresholds);
  } catch (e) {
    return usageError(e instanceof Error ? e.message : String(e));
  }
  const [input, output] = positional;
  if (input === undefined || output === undefined || positional.length > 2) return usageError("give <hf-checkpoint-dir> and <out-dir>");
  const started = performance.now();
  try {
    await convertCheckpoint(input, output, {
      fp32,
      ...(id === undefined ? {} : { id }),
      ...(int8Matmul === undefined ? {} : { int8Matmul }),
      ...(graph === undefined ? {} : { graph }),
      ...(earlyExitPatience === undefined ? {} : { earlyExitPatience }),
      ...(pooling === undefined ? {} : { pooling }),
      ...(aggregation === undefined ? {} : { aggregation }),
      ...(decoding === undefined ? {} : { decoding }),
      ...(thresholds === undefined ? {} : { thresholds }),
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
