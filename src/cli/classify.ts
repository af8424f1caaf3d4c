/**
 * @module cli/classify
 * `albert-edge classify --model <shard-dir> [--max-length N] [--engine wasm|ort]`
 * JSONL `{"text"}` on stdin → JSONL `{"label", "score", "logits"}` on stdout, one line per
 * input, in order (lines end at `\n` only; blank lines are skipped; empty text stops the run, as
 * the API refuses it). Uses the same runtime as the Worker: our WASM engine by default,
 * onnxruntime-web with `--engine ort` (the independent reference). Every text runs alone at its
 * own length. A Hugging Face checkpoint given as `--model` is refused with a pointer to `convert`.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import type { AlbertModel } from "../model/index.ts";
import { ENGINE_NAMES, loadModelDir, type EngineName } from "../node/load-model.ts";
import { InputLineError, LineWriter, readLines, readTexts } from "./jsonl.ts";

const usage = "usage: albert-edge classify --model <shard-dir> [--max-length N] [--engine wasm|ort] < in.jsonl > out.jsonl\n";
/** Texts classified per model call while streaming. */
const CHUNK = 64;

async function flush(model: AlbertModel, texts: string[], out: LineWriter): Promise<void> {
  if (texts.length === 0) return;
  const results = await model.classify(texts);
  texts.length = 0;
  for (const r of results) await out.write(JSON.stringify({ label: r.label, score: r.score, logits: r.logits }) + "\n");
}

export async function run(argv: string[]): Promise<number> {
  let dir: string | undefined;
  let maxLength: number | undefined;
  let engine: EngineName = "wasm";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if ((a === "--model" || a === "--max-length" || a === "--engine") && v !== undefined) {
      i++;
      if (a === "--model") dir = v;
      else if (a === "--engine") {
        if (!(ENGINE_NAMES as readonly string[]).includes(v)) {
          process.stderr.write(`--engine must be one of ${ENGINE_NAMES.join(", ")}\n${usage}`);
          return 2;
        }
        engine = v as EngineName;
      }
      else {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 2) {
          process.stderr.write(`--max-length must be an integer >= 2 (room for [CLS] and [SEP])\n${usage}`);
          return 2;
        }
        maxLength = n;
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
  if (await isCheckpoint(dir)) {
    process.stderr.write(
      `albert-edge classify: ${dir} is a Hugging Face checkpoint (config.json, no manifest.json), not converted shards; ` +
        `run \`albert-edge convert ${dir} <out-dir>\` first and pass --model <out-dir>\n`,
    );
    return 1;
  }
  const model = await loadModelDir(dir, { engine, ...(maxLength === undefined ? {} : { maxLength }) });
  if (model.manifest.task === "feature_extraction") {
    process.stderr.write(`albert-edge classify: model ${model.manifest.id} has no classifier head (task feature_extraction)\n`);
    return 1;
  }
  const out = new LineWriter(process.stdout);
  const pending: string[] = [];
  try {
    for await (const { text } of readTexts(readLines(process.stdin))) {
      pending.push(text);
      if (pending.length >= CHUNK) await flush(model, pending, out);
    }
    await flush(model, pending, out);
  } catch (e) {
    if (!(e instanceof InputLineError)) throw e;
    await flush(model, pending, out);
    await out.flush();
    process.stderr.write(`albert-edge classify: ${e.message}\n`);
    return 1;
  } finally {
    await model.dispose();
  }
  await out.flush();
  return 0;
}

/** A Hugging Face checkpoint directory (config.json) rather than converted shards (manifest.json). */
async function isCheckpoint(dir: string): Promise<boolean> {
  const has = (file: string) => access(join(dir, file)).then(() => true, () => false);
  return !(await has("manifest.json")) && (await has("config.json"));
}
