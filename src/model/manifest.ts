/**
 * @module model/manifest
 * The shard manifest (`manifest.json`): TypeScript types, a validating parser, and the
 * layer → group schedule that the encoder loop follows. Shared by the converter (writer) and
 * the runtime (reader); runs in Node and workerd.
 *
 * Shard contract (ONNX, opset 17, ops that onnxruntime-web WASM runs):
 * - `embeddings`: input_ids int64 [B,S], token_type_ids int64 [B,S] → hidden float32 [B,S,H]
 * - `block` (one per hidden group, run once per layer of that group):
 *   hidden float32 [B,S,H] (+ attention_mask float32 [B,1,1,S], 0 keep / -10000 pad, for `plain`
 *   graphs only) → hidden_out [B,S,H]. `fused` graphs use onnxruntime contrib ops
 *   (com.microsoft: QAttention/Attention, SkipLayerNormalization, FastGelu, DynamicQuantizeMatMul)
 *   and take no mask: the runtime runs every sequence alone at its own length (no padding).
 * - `head`: hidden float32 [B,S,H] → per task:
 *   sequence classification: pooled [B,H] + logits [B,labels];
 *   token_classification: token_logits [B,S,labels]; question_answering: token_logits [B,S,2]
 *   (column 0 start, 1 end); feature_extraction: mean [B,H] (over every position, [CLS]/[SEP]
 *   included; one sequence, no padding) + pooled [B,H] when the checkpoint has a pooler.
 * - `tokenizer`: the checkpoint's spiece.model, verbatim.
 * A logical shard larger than MAX_SHARD_BYTES is stored as `<file>.part<i>` entries (with
 * `part`), concatenated in order by the loader. `version` = first 16 hex of
 * sha256(concatenation of the shards' sha256 hex strings, in manifest order).
 */
import { ENTITY_DECODINGS, ENTITY_STRATEGIES, type EntityDecoding, type EntityStrategy } from "../heads/entities.ts";


export const FORMAT_VERSION = 1;
/** Largest file the converter writes (Workers static asset / KV value limit). */
export const MAX_SHARD_BYTES = 25 * 1024 * 1024;

export type Task = "single_label_classification" | "multi_label_classification" | "token_classification" | "question_answering" | "feature_extraction";
/** Which vector `embed()` returns for a feature_extraction model. */
export type Pooling = "mean" | "cls";
export const POOLINGS: readonly Pooling[] = ["mean", "cls"];

/** Tasks whose head classifies the whole sequence from the pooled [CLS] vector. */
export function isSequenceClassification(task: Task): task is "single_label_classification" | "multi_label_classification" {
  return task === "single_label_classification" || task === "multi_label_classification";
}

/** Columns of the head's per-token output (`token_logits`); 0 for tasks without one. */
export function tokenColumns(task: Task, labels: readonly string[]): number {
  return task === "token_classification" ? labels.length : task === "question_answering" ? 2 : 0;
}
export type ShardRole = "embeddings" | "block" | "head" | "tokenizer";
export type Quantization = "int8-per-channel" | "fp32";
export type GraphForm = "fused" | "plain";
export type HiddenAct = "gelu" | "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" | "relu";
export const HIDDEN_ACTS: readonly HiddenAct[] = ["gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu"];

export interface ShardEntry {
  /** File name relative to the manifest (no directories). */
  file: string;
  bytes: number;
  /** Lowercase hex sha256 of the file. */
  sha256: string;
  role: ShardRole;
  /** Hidden group index, for `block` shards. */
  group?: number;
  /** Present when one logical shard was split into several files: concatenate parts 0..n-1. */
  part?: number;
}

export interface ModelConfig {
  vocab_size: number;
  embedding_size: number;
  hidden_size: number;
  num_attention_heads: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_hidden_groups: number;
  /** Layers inside each group's block (run in sequence on every pass). */
  inner_group_num: number;
  hidden_act: HiddenAct;
  layer_norm_eps: number;
  max_position_embeddings: number;
  type_vocab_size: number;
}

export interface TokenizerSettings {
  lowercase: boolean;
  keep_accents: boolean;
  max_length: number;
  /**
   * Token types carry capitalisation (which the uncased vocabulary loses): 1 for a token whose
   * first character in the text is an uppercase letter, else 0. For token classification models
   * trained that way (training/finetune_ner.py --case-types); absent: token types are segments.
   */
  case_token_types?: true;
}

export interface EarlyExit {
  patience: number;
}

export interface Manifest {
  format_version: typeof FORMAT_VERSION;
  id: string;
  /** Content hash: first 16 hex of sha256 over the shards' sha256 values. */
  version: string;
  task: Task;
  /**
   * Label names; index = class id (for token_classification: per-token labels, the checkpoint's
   * id2label order). Empty for feature_extraction and question_answering.
   */
  labels: string[];
  /**
   * feature_extraction only: the vector `embed()` returns: `mean` over every position or `cls`
   * (the pooled [CLS]). Absent: `cls`, the behaviour of manifests written before the field.
   */
  pooling?: Pooling;
  /**
   * token_classification only: how `/v1/entities` and `albert-edge classify` merge token labels
   * into entities when a request names no strategy (absent: `simple`). `first` suits models whose
   * labels were trained on each word's first piece only (Hugging Face's default recipe).
   */
  aggregation?: EntityStrategy;
  /**
   * token_classification only: how each token's or word's label is chosen when a request names no
   * decoding (absent: `argmax`, as Hugging Face). `bio` takes the most probable valid IOB2 label
   * sequence (heads/bio-decode), for models trained without a CRF.
   */
  decoding?: EntityDecoding;
  tokenizer: TokenizerSettings;
  config: ModelConfig;
  quantization: Quantization;
  /** How int8 Linear layers execute (informational; graph I/O is the same either way). */
  int8_matmul?: "dequantize" | "dynamic";
  /** Graph form of the shards (absent: `plain`). See the shard contract above. */
  graph?: GraphForm;
  /**
   * Adaptive depth (PABEE): the classifier is applied after every layer and the model stops once
   * its prediction has stayed the same for `patience` consecutive layers. Only for models
   * trained with the head on every layer; absent: always full depth.
   */
  early_exit?: EarlyExit;
  /**
   * multi_label_classification only: per-label decision thresholds on the sigmoid score, chosen
   * with the model (training/RESULTS.md rule 4: on a selection split). A label is "on" when its
   * score is ≥ its threshold: moderation flags use them unless `MODERATION_THRESHOLDS` names the
   * category, and early exit compares the label sets they give. Absent (or a label absent): 0.5.
   */
  thresholds?: Record<string, number>;
  shards: ShardEntry[];
}

export class ManifestError extends Error {
  override readonly name = "ManifestError";
}

/** Group index used by layer `i` (Hugging Face AlbertTransformer: int(i / (layers / groups))). */
export function groupOfLayer(config: Pick<ModelConfig, "num_hidden_layers" | "num_hidden_groups">, i: number): number {
  return Math.floor(i / (config.num_hidden_layers / config.num_hidden_groups));
}

/** Files of one logical shard (role + group), in part order. */
export function shardFiles(manifest: Manifest, role: ShardRole, group?: number): ShardEntry[] {
  const files = manifest.shards.filter((s) => s.role === role && (group === undefined || s.group === group));
  return files.sort((a, b) => (a.part ?? 0) - (b.part ?? 0));
}

const TASKS: readonly Task[] = ["single_label_classification", "multi_label_classification", "token_classification", "question_answering", "feature_extraction"];
const ROLES: readonly ShardRole[] = ["embeddings", "block", "head", "tokenizer"];
const QUANTIZATIONS: readonly Quantization[] = ["int8-per-channel", "fp32"];

function fail(path: string, message: string): never {
  throw new ManifestError(`manifest.json: ${path} ${message}`);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "must be an object");
  return v as Record<string, unknown>;
}

function str(v: unknown, path: string): string {
  if (typeof v !== "string" || v.length === 0) fail(path, "must be a non-empty string");
  return v;
}

function int(v: unknown, path: string, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) fail(path, `must be an integer ≥ ${min}`);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") fail(path, "must be a boolean");
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) fail(path, `must be one of ${allowed.join(", ")}`);
  return v as T;
}

/** Per-label thresholds in label order; each a label of the model, each in [0, 1]. */
function parseThresholds(t: Record<string, unknown>, labels: readonly string[]): Record<string, number> {
  for (const key of Object.keys(t)) if (!labels.includes(key)) fail(`thresholds.${key}`, `is not a label of this model (labels: ${labels.join(", ")})`);
  const out: [string, number][] = [];
  for (const label of labels) {
    if (!Object.hasOwn(t, label)) continue;
    const v = t[label];
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) fail(`thresholds.${label}`, "must be a number in [0, 1]");
    out.push([label, v]);
  }
  return Object.fromEntries(out);
}

/** A multi-label label's threshold when its manifest gives none. */
const DEFAULT_LABEL_THRESHOLD = 0.5;

/** The model's own threshold for `label` (its manifest's, else 0.5). */
export function labelThreshold(manifest: Pick<Manifest, "thresholds">, label: string): number {
  return manifest.thresholds?.[label] ?? DEFAULT_LABEL_THRESHOLD;
}

function parseConfig(v: unknown): ModelConfig {
  const c = obj(v, "config");
  const config: ModelConfig = {
    vocab_size: int(c.vocab_size, "config.vocab_size", 1),
    embedding_size: int(c.embedding_size, "config.embedding_size", 1),
    hidden_size: int(c.hidden_size, "config.hidden_size", 1),
    num_attention_heads: int(c.num_attention_heads, "config.num_attention_heads", 1),
    intermediate_size: int(c.intermediate_size, "config.intermediate_size", 1),
    num_hidden_layers: int(c.num_hidden_layers, "config.num_hidden_layers", 1),
    num_hidden_groups: int(c.num_hidden_groups, "config.num_hidden_groups", 1),
    inner_group_num: c.inner_group_num === undefined ? 1 : int(c.inner_group_num, "config.inner_group_num", 1),
    hidden_act: oneOf(c.hidden_act, "config.hidden_act", HIDDEN_ACTS),
    layer_norm_eps: typeof c.layer_norm_eps === "number" && c.layer_norm_eps > 0 ? c.layer_norm_eps : fail("config.layer_norm_eps", "must be a positive number"),
    max_position_embeddings: int(c.max_position_embeddings, "config.max_position_embeddings", 1),
    type_vocab_size: int(c.type_vocab_size, "config.type_vocab_size", 1),
  };
  if (config.hidden_size % config.num_attention_heads !== 0) fail("config.hidden_size", "must be divisible by num_attention_heads");
  if (config.num_hidden_groups > config.num_hidden_layers) fail("config.num_hidden_groups", "must not exceed num_hidden_layers");
  return config;
}

function parseShard(v: unknown, i: number): ShardEntry {
  const p = `shards[${i}]`;
  const s = obj(v, p);
  const file = str(s.file, `${p}.file`);
  if (!/^[A-Za-z0-9._-]+$/.test(file) || file.startsWith(".")) fail(`${p}.file`, `"${file}" must be a plain file name`);
  const sha256 = str(s.sha256, `${p}.sha256`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) fail(`${p}.sha256`, "must be 64 lowercase hex digits");
  const shard: ShardEntry = { file, bytes: int(s.bytes, `${p}.bytes`, 0), sha256, role: oneOf(s.role, `${p}.role`, ROLES) };
  if (s.group !== undefined) shard.group = int(s.group, `${p}.group`, 0);
  if (s.part !== undefined) shard.part = int(s.part, `${p}.part`, 0);
  if (shard.role === "block" && shard.group === undefined) fail(`${p}.group`, "is required for block shards");
  return shard;
}

function checkParts(manifest: Manifest, role: ShardRole, group?: number): void {
  const what = group === undefined ? role : `${role} group ${group}`;
  const files = shardFiles(manifest, role, group);
  if (files.length === 0) fail("shards", `has no ${what} shard`);
  if (files.length > 1 || files[0]?.part !== undefined) {
    files.forEach((f, i) => {
      if (f.part !== i) fail("shards", `${what} parts must be numbered 0..${files.length - 1}`);
    });
  }
}

/** Validates parsed JSON as a manifest; throws ManifestError naming the bad field. */
export function parseManifest(json: unknown): Manifest {
  const m = obj(json, "(root)");
  if (m.format_version !== FORMAT_VERSION) fail("format_version", `must be ${FORMAT_VERSION} (got ${JSON.stringify(m.format_version)})`);
  const task = oneOf(m.task, "task", TASKS);
  if (!Array.isArray(m.labels)) fail("labels", "must be an array");
  const labels = m.labels.map((l, i) => str(l, `labels[${i}]`));
  if (new Set(labels).size !== labels.length) fail("labels", "must be unique");
  const unlabelled = task === "feature_extraction" || task === "question_answering";
  if (unlabelled ? labels.length !== 0 : labels.length === 0) fail("labels", unlabelled ? `must be empty for ${task}` : "must not be empty");
  const t = obj(m.tokenizer, "tokenizer");
  const config = parseConfig(m.config);
  const version = str(m.version, "version");
  if (!/^[0-9a-f]{16}$/.test(version)) fail("version", "must be 16 lowercase hex digits");
  if (!Array.isArray(m.shards)) fail("shards", "must be an array");
  const manifest: Manifest = {
    format_version: FORMAT_VERSION,
    id: str(m.id, "id"),
    version,
    task,
    labels,
    tokenizer: {
      lowercase: bool(t.lowercase, "tokenizer.lowercase"),
      keep_accents: bool(t.keep_accents, "tokenizer.keep_accents"),
      max_length: int(t.max_length, "tokenizer.max_length", 2),
    },
    config,
    quantization: oneOf(m.quantization, "quantization", QUANTIZATIONS),
    shards: m.shards.map(parseShard),
  };
  if (t.case_token_types !== undefined) {
    if (t.case_token_types !== true) fail("tokenizer.case_token_types", "must be true when present");
    if (task !== "token_classification") fail("tokenizer.case_token_types", `is only for token_classification models (task is ${task})`);
    if (config.type_vocab_size < 2) fail("tokenizer.case_token_types", "needs config.type_vocab_size >= 2");
    manifest.tokenizer.case_token_types = true;
  }
  if (m.int8_matmul !== undefined) manifest.int8_matmul = oneOf(m.int8_matmul, "int8_matmul", ["dequantize", "dynamic"] as const);
  if (m.graph !== undefined) manifest.graph = oneOf(m.graph, "graph", ["fused", "plain"] as const);
  if (m.pooling !== undefined) {
    if (task !== "feature_extraction") fail("pooling", `is only for feature_extraction models (task is ${task})`);
    manifest.pooling = oneOf(m.pooling, "pooling", POOLINGS);
  }
  if (m.aggregation !== undefined) {
    if (task !== "token_classification") fail("aggregation", `is only for token_classification models (task is ${task})`);
    manifest.aggregation = oneOf(m.aggregation, "aggregation", ENTITY_STRATEGIES);
  }
  if (m.decoding !== undefined) {
    if (task !== "token_classification") fail("decoding", `is only for token_classification models (task is ${task})`);
    manifest.decoding = oneOf(m.decoding, "decoding", ENTITY_DECODINGS);
  }
  if (m.early_exit !== undefined) {
    const e = obj(m.early_exit, "early_exit");
    if (!isSequenceClassification(task)) fail("early_exit", `needs a sequence classifier head (task is ${task})`);
    manifest.early_exit = { patience: int(e.patience, "early_exit.patience", 1) };
  }
  if (m.thresholds !== undefined) {
    if (task !== "multi_label_classification") fail("thresholds", `are only for multi_label_classification models (task is ${task})`);
    manifest.thresholds = parseThresholds(obj(m.thresholds, "thresholds"), labels);
  }
  if (manifest.tokenizer.max_length > config.max_position_embeddings) fail("tokenizer.max_length", "must not exceed config.max_position_embeddings");
  const files = new Set<string>();
  for (const s of manifest.shards) {
    if (files.has(s.file)) fail("shards", `lists "${s.file}" twice`);
    files.add(s.file);
    if (s.role === "block" && (s.group ?? 0) >= config.num_hidden_groups) fail("shards", `has block group ${s.group} but config.num_hidden_groups is ${config.num_hidden_groups}`);
  }
  checkParts(manifest, "embeddings");
  checkParts(manifest, "head");
  checkParts(manifest, "tokenizer");
  for (let g = 0; g < config.num_hidden_groups; g++) checkParts(manifest, "block", g);
  return manifest;
}
