/**
 * @module convert/convert
 * `convertCheckpoint(inDir, outDir)`: HF ALBERT checkpoint → ONNX shards + manifest.json.
 * Everything is written into a temporary directory beside `outDir` and renamed into place
 * only when complete, so a failure never leaves a half-written output directory.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ENTITY_DECODINGS, ENTITY_STRATEGIES, isEntityDecoding, isEntityStrategy, type EntityDecoding, type EntityStrategy } from "../heads/entities.ts";
import { FORMAT_VERSION, POOLINGS, groupOfLayer, isSequenceClassification, parseManifest, type Manifest, type Pooling } from "../model/manifest.ts";
import { openCheckpoint, type Checkpoint } from "./checkpoint.ts";
import { ConvertError } from "./errors.ts";
import { buildBlock, type GraphForm } from "./graphs/block.ts";
import { buildEmbeddings } from "./graphs/embeddings.ts";
import { buildHead } from "./graphs/head.ts";
import type { LinearScheme } from "./onnx/graph-builder.ts";
import { encodeModel } from "./onnx/model-proto.ts";
import { contentVersion, toShardFiles, type ShardPayload } from "./shards.ts";

export interface ConvertOptions {
  /** Keep fp32 weights (no quantization). */
  fp32?: boolean;
  /**
   * int8 Linear execution: dynamic activation quantization (default: int8 × int8 matmuls, about
   * 2–3x faster in ORT-web WASM) or weight-only dequantize (int8 storage, fp32 compute).
   */
  int8Matmul?: "dequantize" | "dynamic";
  /**
   * Graph form: `fused` (default) uses onnxruntime contrib ops (QAttention / Attention,
   * SkipLayerNormalization, FastGelu, DynamicQuantizeMatMul); `plain` uses standard ONNX ops only.
   */
  graph?: GraphForm;
  /**
   * Adaptive depth for models fine-tuned with the classifier on every layer (PABEE): stop once
   * the prediction has been the same for this many consecutive layers. Default: full depth.
   */
  earlyExitPatience?: number;
  /**
   * feature_extraction (AlbertModel) only: the vector `embed()` returns, `mean` over every
   * position (default) or `cls`, the pooled [CLS] (needs the checkpoint's pooler).
   */
  pooling?: Pooling;
  /** token_classification only: the manifest's default entity `aggregation` (absent: simple). */
  aggregation?: EntityStrategy;
  /** token_classification only: the manifest's default label `decoding` (absent: argmax). */
  decoding?: EntityDecoding;
  /** multi_label_classification only: per-label decision thresholds (labels not given: 0.5). */
  thresholds?: Record<string, number>;
  /** Model id; defaults to the output directory's name. */
  id?: string;
  /** Progress sink (one line per call); the CLI sends these to stderr. */
  log?: (line: string) => void;
  /** Override the per-file size limit (tests). */
  maxShardBytes?: number;
}

export interface ConvertResult {
  manifest: Manifest;
  outDir: string;
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

function schemeOf(options: ConvertOptions): LinearScheme {
  if (options.fp32) return "fp32";
  return options.int8Matmul === "dequantize" ? "int8-dequant" : "int8-dynamic";
}

/** Builds every shard payload of a checkpoint (in manifest order). */
export function buildPayloads(ck: Checkpoint, scheme: LinearScheme, log: (line: string) => void, form: GraphForm = "fused"): ShardPayload[] {
  const payloads: ShardPayload[] = [];
  const add = (p: ShardPayload): void => {
    payloads.push(p);
    log(`  ${p.file}: ${mib(p.bytes.length)}`);
  };
  add({ file: "embeddings.onnx", role: "embeddings", bytes: encodeModel(buildEmbeddings(ck, scheme, form)) });
  for (let g = 0; g < ck.config.num_hidden_groups; g++) {
    add({ file: `block-${g}.onnx`, role: "block", group: g, bytes: encodeModel(buildBlock(ck, g, scheme, form)) });
  }
  add({ file: "head.onnx", role: "head", bytes: encodeModel(buildHead(ck, scheme, form)) });
  add({ file: "spiece.model", role: "tokenizer", bytes: ck.spiece });
  return payloads;
}

/** The manifest's pooling: feature_extraction only, `mean` unless asked (and possible) otherwise. */
function poolingOf(ck: Checkpoint, asked: Pooling | undefined): Pooling | undefined {
  if (asked !== undefined && !(POOLINGS as readonly string[]).includes(asked)) throw new ConvertError(`pooling must be one of ${POOLINGS.join(", ")} (got ${JSON.stringify(asked)})`);
  if (ck.task !== "feature_extraction") {
    if (asked !== undefined) throw new ConvertError(`--pooling is only for AlbertModel (feature_extraction) checkpoints; this one's task is ${ck.task}`);
    return undefined;
  }
  if (asked === "cls" && !ck.hasPooler) throw new ConvertError(`--pooling cls needs the pooler ("albert.pooler.weight"), which ${ck.dir} does not have; use --pooling mean`);
  return asked ?? "mean";
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function convertCheckpoint(inDir: string, outDir: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const log = options.log ?? (() => {});
  const target = resolve(outDir);
  const id = options.id ?? basename(target);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw new ConvertError(`invalid model id "${id}" (letters, digits, ".", "_", "-")`);
  if (await exists(target)) {
    const entries = await readdir(target).catch(() => {
      throw new ConvertError(`${target} exists and is not a directory`);
    });
    if (entries.length > 0 && !entries.includes("manifest.json")) {
      throw new ConvertError(`${target} exists and is not a shard directory (no manifest.json); refusing to replace it`);
    }
  }

  log(`reading ${inDir}`);
  const ck = await openCheckpoint(inDir, log);
  const c = ck.config;
  const patience = options.earlyExitPatience;
  if (patience !== undefined && (!Number.isInteger(patience) || patience < 1)) throw new ConvertError(`early-exit patience must be an integer >= 1 (got ${patience})`);
  if (patience !== undefined && !isSequenceClassification(ck.task)) throw new ConvertError(`early exit needs a sequence classifier head; this checkpoint's task is ${ck.task}`);
  const earlyExit = patience === undefined ? undefined : { patience };
  const pooling = poolingOf(ck, options.pooling);
  const aggregation = options.aggregation;
  if (aggregation !== undefined && !isEntityStrategy(aggregation)) throw new ConvertError(`aggregation must be one of ${ENTITY_STRATEGIES.join(", ")} (got ${JSON.stringify(aggregation)})`);
  if (aggregation !== undefined && ck.task !== "token_classification") throw new ConvertError(`--aggregation is only for token classification checkpoints; this one's task is ${ck.task}`);
  const decoding = options.decoding;
  if (decoding !== undefined && !isEntityDecoding(decoding)) throw new ConvertError(`decoding must be one of ${ENTITY_DECODINGS.join(", ")} (got ${JSON.stringify(decoding)})`);
  if (decoding !== undefined && ck.task !== "token_classification") throw new ConvertError(`--decoding is only for token classification checkpoints; this one's task is ${ck.task}`);
  const thresholds = options.thresholds;
  if (thresholds !== undefined && ck.task !== "multi_label_classification") throw new ConvertError(`--thresholds are only for multi-label classification checkpoints; this one's task is ${ck.task}`);
  const unknown = Object.keys(thresholds ?? {}).filter((label) => !ck.labels.includes(label));
  if (unknown.length > 0) throw new ConvertError(`--thresholds: ${unknown.join(", ")} not a label of this checkpoint (labels: ${ck.labels.join(", ")})`);
  const scheme = schemeOf(options);
  const form: GraphForm = options.graph ?? "fused";
  log(
    `ALBERT: V ${c.vocab_size}, E ${c.embedding_size}, H ${c.hidden_size}, heads ${c.num_attention_heads}, I ${c.intermediate_size}, ` +
      `layers ${c.num_hidden_layers}, groups ${c.num_hidden_groups}, inner ${c.inner_group_num}, ${c.hidden_act}; task ${ck.task}` +
      (ck.labels.length > 0 ? ` [${ck.labels.join(", ")}]` : "") +
      (pooling === undefined ? "" : `; pooling ${pooling}${ck.hasPooler ? " (pooled [CLS] also computed)" : ""}`),
  );
  log(`writing shards (${scheme}, ${form} graph)`);
  const files = toShardFiles(buildPayloads(ck, scheme, log, form), options.maxShardBytes);
  const shards = files.map((f) => f.entry);
  const manifest: Manifest = {
    format_version: FORMAT_VERSION,
    id,
    version: "",
    task: ck.task,
    labels: ck.labels,
    tokenizer: {
      lowercase: ck.tokenizer.lowercase,
      keep_accents: ck.tokenizer.keepAccents,
      max_length: c.max_position_embeddings,
      ...(ck.caseTokenTypes ? { case_token_types: true as const } : {}),
    },
    config: c,
    quantization: scheme === "fp32" ? "fp32" : "int8-per-channel",
    ...(scheme === "fp32" ? {} : { int8_matmul: scheme === "int8-dynamic" ? ("dynamic" as const) : ("dequantize" as const) }),
    graph: form,
    ...(earlyExit === undefined ? {} : { early_exit: earlyExit }),
    ...(thresholds === undefined ? {} : { thresholds }),
    ...(pooling === undefined ? {} : { pooling }),
    ...(aggregation === undefined ? {} : { aggregation }),
    ...(decoding === undefined ? {} : { decoding }),
    shards,
  };
  manifest.version = contentVersion(manifest);
  parseManifest(manifest); // self-check: the writer never emits what the reader rejects
  // The layer schedule is implied by the config; print it so users can see the sharing.
  log(`layer → group: ${Array.from({ length: c.num_hidden_layers }, (_, i) => groupOfLayer(c, i)).join(" ")}`);

  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  const old = join(parent, `.${basename(target)}.old-${process.pid}-${Date.now()}`);
  try {
    await mkdir(tmp);
    for (const f of files) await writeFile(join(tmp, f.entry.file), f.bytes);
    await writeFile(join(tmp, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const replacing = await exists(target);
    if (replacing) await rename(target, old);
    await rename(tmp, target);
    if (replacing) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const total = shards.reduce((n, s) => n + s.bytes, 0);
  log(`wrote ${target}: ${shards.length} shard file(s), ${mib(total)} total, version ${manifest.version}`);
  return { manifest, outDir: target };
}
