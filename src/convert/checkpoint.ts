/**
 * @module convert/checkpoint
 * Opens a Hugging Face ALBERT checkpoint directory (config.json, model.safetensors,
 * spiece.model, optional tokenizer_config.json), decides the task (head) and labels, and hands
 * out weights by their AlbertModel-relative name, checking each tensor's shape.
 * Tensor names are accepted with or without the `albert.` prefix.
 *
 * The head comes from config.json `architectures` and the tensors present:
 * AlbertForSequenceClassification (or `classifier.*` with a pooler) → sequence classification;
 * AlbertForTokenClassification (or `classifier.*` without a pooler) → token_classification;
 * AlbertForQuestionAnswering or `qa_outputs.*` → question_answering; no head → feature_extraction.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isSequenceClassification, type ModelConfig, type Task } from "../model/manifest.ts";
import { ConvertError } from "./errors.ts";
import { parseHfConfig, parseTokenizerConfig, type HfConfig, type HfTokenizerConfig } from "./hf-config.ts";
import { SafetensorsFile } from "./safetensors.ts";

export interface Checkpoint {
  dir: string;
  config: ModelConfig;
  task: Task;
  labels: string[];
  /** Whether the checkpoint has the pooler (`pooler.*`); the sequence classifier needs it. */
  hasPooler: boolean;
  tokenizer: HfTokenizerConfig;
  /** config.json `case_token_types`: token types carry capitalisation (token classifiers only). */
  caseTokenTypes: boolean;
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

  const { task, labels } = detectHead(hf, weights, stPath);
  const hasPooler = weights.has("pooler.weight");
  if (isSequenceClassification(task) && !hasPooler) {
    throw new ConvertError(`${stPath}: missing tensor "albert.pooler.weight" (a sequence classifier reads the pooled [CLS] vector)`);
  }
  if (hf.caseTokenTypes && task !== "token_classification") {
    throw new ConvertError(`${configPath}: "case_token_types" is only for token classification checkpoints (this one is ${task})`);
  }
  return { dir, config: hf.model, task, labels, hasPooler, tokenizer, caseTokenTypes: hf.caseTokenTypes, spiece, weights };
}

/** Output rows of a head Linear `name` ([n, hidden_size]); a wrong shape is a ConvertError naming it. */
function headRows(weights: WeightStore, name: string, hidden: number, stPath: string, why: string): number {
  const shape = weights.shape(`${name}.weight`, false);
  if (shape === undefined) throw new ConvertError(`${stPath}: missing tensor "${name}.weight" (${why})`);
  if (shape.length !== 2 || shape[1] !== hidden || (shape[0] ?? 0) < 1) {
    throw new ConvertError(`${stPath}: tensor "${name}.weight" has shape [${shape.join(", ")}], expected [n, ${hidden}] (hidden_size ${hidden})`);
  }
  return shape[0] as number;
}

/** Labels of a classifier with `n` outputs: config.json id2label (must agree), else LABEL_i. */
function labelsFor(hf: HfConfig, n: number, hidden: number, stPath: string): string[] {
  if (hf.id2label !== undefined && hf.id2label.length !== n) {
    throw new ConvertError(
      `${stPath}: tensor "classifier.weight" has shape [${n}, ${hidden}], expected [${hf.id2label.length}, ${hidden}] (config.json id2label has ${hf.id2label.length} labels)`,
    );
  }
  return hf.id2label ?? Array.from({ length: n }, (_, i) => `LABEL_${i}`);
}

function detectHead(hf: HfConfig, weights: WeightStore, stPath: string): { task: Task; labels: string[] } {
  const H = hf.model.hidden_size;
  const arch = (name: string): boolean => hf.architectures.includes(name);
  const hasClassifier = weights.has("classifier.weight", false);
  const hasQa = weights.has("qa_outputs.weight", false);
  const hasPooler = weights.has("pooler.weight");
  const unsupported = hf.architectures.find((a) => a === "AlbertForMultipleChoice");
  if (unsupported !== undefined) throw new ConvertError(`${stPath}: ${unsupported} checkpoints are not supported (sequence, token classification, question answering or AlbertModel)`);
  if (arch("AlbertForQuestionAnswering") || (hasQa && !arch("AlbertForSequenceClassification") && !arch("AlbertForTokenClassification"))) {
    const n = headRows(weights, "qa_outputs", H, stPath, "config.json says AlbertForQuestionAnswering");
    if (n !== 2) throw new ConvertError(`${stPath}: tensor "qa_outputs.weight" has shape [${n}, ${H}], expected [2, ${H}] (start and end logits)`);
    return { task: "question_answering", labels: [] };
  }
  const tokenHead = arch("AlbertForTokenClassification") || (hasClassifier && !arch("AlbertForSequenceClassification") && !hasPooler);
  if (tokenHead) {
    const n = headRows(weights, "classifier", H, stPath, "config.json says AlbertForTokenClassification");
    return { task: "token_classification", labels: labelsFor(hf, n, H, stPath) };
  }
  if (arch("AlbertForSequenceClassification") || hasClassifier) {
    const n = headRows(weights, "classifier", H, stPath, "config.json says AlbertForSequenceClassification");
    const task = hf.problemType === "multi_label_classification" ? "multi_label_classification" : "single_label_classification";
    return { task, labels: labelsFor(hf, n, H, stPath) };
  }
  return { task: "feature_extraction", labels: [] };
}
