/**
 * @module convert/checkpoint
 * Opens a Hugging Face ALBERT checkpoint directory (config.json, model.safetensors,
 * spiece.model, optional tokenizer_config.json), decides the task and labels, and hands out
 * weights by their AlbertModel-relative name, checking each tensor's shape.
 * Tensor names are accepted with or without the `albert.` prefix.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelConfig, Task } from "../model/manifest.ts";
import { ConvertError } from "./errors.ts";
import { parseHfConfig, parseTokenizerConfig, type HfTokenizerConfig } from "./hf-config.ts";
import { SafetensorsFile } from "./safetensors.ts";

export interface Checkpoint {
  dir: string;
  config: ModelConfig;
  task: Task;
  labels: string[];
  tokenizer: HfTokenizerConfig;
  spiece: Uint8Array;
  weights: WeightStore;
}

/** Named weights with shape checks. `albert(name)` resolves `albert.<name>` or `<name>`. */
export class WeightStore {
  readonly file: SafetensorsFile;
  constructor(file: SafetensorsFile) {
    this.file = file;
  }

  private resolve(name: string, prefixed: boolean): string | undefined {
    const candidates = prefixed ? [`albert.${name}`, name] : [name];
    return candidates.find((c) => this.file.has(c));
  }

  has(name: string, prefixed = true): boolean {
    return this.resolve(name, prefixed) !== undefined;
  }

  /** Reads a tensor as fp32 and checks its shape; errors name the tensor and file. */
  get(name: string, shape: readonly number[], prefixed = true): Float32Array {
    const key = this.resolve(name, prefixed);
    const shown = prefixed ? `albert.${name}` : name;
    if (key === undefined) throw new ConvertError(`${this.file.file}: missing tensor "${shown}"`);
    const entry = this.file.entries.get(key);
    if (entry === undefined) throw new ConvertError(`${this.file.file}: missing tensor "${shown}"`);
    if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
      throw new ConvertError(`${this.file.file}: tensor "${key}" has shape [${entry.shape.join(", ")}], expected [${shape.join(", ")}]`);
    }
    return this.file.float32(key);
  }

  /** Shape of a tensor, if present. */
  shape(name: string, prefixed = true): number[] | undefined {
    const key = this.resolve(name, prefixed);
    return key === undefined ? undefined : this.file.entries.get(key)?.shape;
  }
}

async function readRequired(dir: string, name: string): Promise<Uint8Array> {
  const path = join(dir, name);
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConvertError(code === "ENOENT" ? `missing file ${path}` : `cannot read ${path}: ${(e as Error).message}`);
  }
}

function parseJson(bytes: Uint8Array, path: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ConvertError(`${path}: invalid JSON (${(e as Error).message})`);
  }
}

export async function openCheckpoint(dir: string, log: (line: string) => void = () => {}): Promise<Checkpoint> {
  const configPath = join(dir, "config.json");
  const hf = parseHfConfig(parseJson(await readRequired(dir, "config.json"), configPath), configPath);

  const tokPath = join(dir, "tokenizer_config.json");
  let tokenizer: HfTokenizerConfig;
  try {
    tokenizer = parseTokenizerConfig(parseJson(new Uint8Array(await readFile(tokPath)), tokPath), tokPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    tokenizer = { lowercase: true, keepAccents: false };
    log(`note: ${tokPath} not found; using do_lower_case=true, keep_accents=false`);
  }
  const spiece = await readRequired(dir, "spiece.model");
  const stPath = join(dir, "model.safetensors");
  const weights = new WeightStore(new SafetensorsFile(stPath, await readRequired(dir, "model.safetensors")));

  const isClassifier = hf.architectures.includes("AlbertForSequenceClassification") || weights.has("classifier.weight", false);
  let task: Task;
  let labels: string[];
  if (isClassifier) {
    const shape = weights.shape("classifier.weight", false);
    if (shape === undefined) throw new ConvertError(`${stPath}: missing tensor "classifier.weight" (config.json says AlbertForSequenceClassification)`);
    const n = shape[0] ?? 0;
    if (hf.id2label !== undefined && hf.id2label.length !== n) {
      throw new ConvertError(`${stPath}: tensor "classifier.weight" has shape [${shape.join(", ")}], expected [${hf.id2label.length}, ${hf.model.hidden_size}] (config.json id2label has ${hf.id2label.length} labels)`);
    }
    labels = hf.id2label ?? Array.from({ length: n }, (_, i) => `LABEL_${i}`);
    task = hf.problemType === "multi_label_classification" ? "multi_label_classification" : "single_label_classification";
  } else {
    task = "feature_extraction";
    labels = [];
  }
  return { dir, config: hf.model, task, labels, tokenizer, spiece, weights };
}
