/**
 * @module cli/classify
 * `albert-edge classify --model <shard-dir> [--max-length N]`
 * JSONL `{"text"}` on stdin → JSONL `{"label", "score", "logits"}` on stdout, one line per
 * input, in order (blank lines are skipped). Uses the same runtime as the Worker. Every text runs
 * alone at its own length; `--batch-size` is accepted for compatibility and ignored.
 */
import { createInterface } from "node:readline";
import { loadModel, type AlbertModel } from "../model/index.ts";
import { fsShardSource } from "../node/fs-shard-source.ts";

const usage = "usage: albert-edge classify --model <shard-dir> [--max-length N] < in.jsonl > out.jsonl\n";
/** Texts classified per model call while streaming. */
const CHUNK = 64;

class InputError extends Error {}

function parseLine(line: string, n: number): string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new InputError(`stdin line ${n}: not valid JSON`);
  }
  const text = (value as { text?: unknown } | null)?.text;
  if (typeof text !== "string") throw new InputError(`stdin line ${n}: expected an object with a string "text"`);
  return text;
}

async function flush(model: AlbertModel, texts: string[], write: (s: string) => void): Promise<void> {
  if (texts.length === 0) return;
  const results = await model.classify(texts);
  write(results.map((r) => JSON.stringify({ label: r.label, score: r.score, logits: r.logits })).join("\n") + "\n");
  texts.length = 0;
}

export async function run(argv: string[]): Promise<number> {
  let dir: string | undefined;
  let maxLength: number | undefined;
  let batchSize: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if ((a === "--model" || a === "--max-length" || a === "--batch-size") && v !== undefined) {
      i++;
      if (a === "--model") dir = v;
      else {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) {
          process.stderr.write(`${a} must be a positive integer\n${usage}`);
          return 2;
        }
        if (a === "--max-length") maxLength = n;
        else batchSize = n;
      }
    } else if (a === "-h" || a === "--help") {
      process.stdout.write(usage);
      return 0;
    } else {
      process.stderr.write(`unexpected argument ${a}\n${usage}`);
      return 2;
    }
  }
  if (dir === undefined) {
    process.stderr.write(usage);
    return 2;
  }
  void batchSize; // deprecated: texts always run one at a time (see model/encoder.ts)
  const model = await loadModel(fsShardSource(dir), maxLength === undefined ? {} : { maxLength });
  if (model.manifest.task === "feature_extraction") {
    process.stderr.write(`albert-edge classify: model ${model.manifest.id} has no classifier head (task feature_extraction)\n`);
    return 1;
  }
  const write = (s: string): void => void process.stdout.write(s);
  const pending: string[] = [];
  let n = 0;
  try {
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      n++;
      if (line.trim() === "") continue;
      pending.push(parseLine(line, n));
      if (pending.length >= CHUNK) await flush(model, pending, write);
    }
    await flush(model, pending, write);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    await flush(model, pending, write);
    process.stderr.write(`albert-edge classify: ${e.message}\n`);
    return 1;
  } finally {
    await model.dispose();
  }
  return 0;
}
