/**
 * @module model/engine
 * What the model layer needs from an inference engine. Two implement it: ours (src/engine, WASM
 * relaxed-SIMD kernels; the default everywhere) and onnxruntime (src/ort; Node only: the
 * independent reference, `--engine ort`, and the benchmark baseline). Both read the same shards.
 */
import type { Manifest } from "./manifest.ts";

/** The verified bytes of a model's shards (block shards by group index). */
export interface ShardBytes {
  embeddings: Uint8Array;
  blocks: Uint8Array[];
  head: Uint8Array;
}

/** One sequence's outputs: what the model's head gives (see the head contract in manifest.ts). */
export interface SequenceOutput {
  /** Sequence classifier logits (sequence classification only). */
  logits?: Float32Array;
  /** tanh(pooler([CLS])), length hidden_size: sequence classifiers, and feature_extraction models with a pooler. */
  pooled?: Float32Array;
  /** Mean of the last hidden states over every position, length hidden_size (feature_extraction). */
  mean?: Float32Array;
  /**
   * Per-token logits, row-major [S × columns]: the labels for token_classification, 2 (start,
   * end) for question_answering.
   */
  tokenLogits?: Float32Array;
  /** Layers (block passes) that ran: fewer than num_hidden_layers when the model exited early. */
  layers: number;
}

export interface ForwardOptions {
  /** Run every layer even when the manifest allows early exit. */
  fullDepth?: boolean;
  /**
   * Early-exit patience for this run instead of the manifest's (sequence classifiers whose head
   * was trained on every layer; used to measure the patience/accuracy trade-off). Ignored with
   * `fullDepth`.
   */
  patience?: number;
}

/** The patience a run uses: none at full depth or for heads without a classifier, else the option or the manifest's. */
export function runPatience(options: ForwardOptions, manifestPatience: number | undefined): number | undefined {
  if (options.fullDepth === true) return undefined;
  const p = options.patience ?? manifestPatience;
  if (p !== undefined && (!Number.isInteger(p) || p < 1)) throw new RangeError(`patience must be an integer >= 1 (got ${p})`);
  return p;
}

/** A model loaded into an engine: one forward per sequence (ids with [CLS]/[SEP]). */
export interface EngineRunner {
  /** Engine name and, for ours, the kernel path (e.g. "wasm-simd/vnni", "onnxruntime-web"). */
  readonly description: string;
  forward(ids: readonly number[], typeIds?: readonly number[], options?: ForwardOptions): SequenceOutput | Promise<SequenceOutput>;
  /**
   * Several sequences in one engine run (optional). Must give exactly what `forward` gives for
   * each sequence alone; engines without it are called once per sequence.
   */
  forwardMany?(seqs: readonly { ids: readonly number[]; typeIds?: readonly number[] }[], options?: ForwardOptions): SequenceOutput[];
  dispose(): void | Promise<void>;
}

export interface Engine {
  readonly name: string;
  /**
   * Loads the weights. The shard bytes are the engine's only until the promise settles: the model
   * layer then releases them (detaches their buffers), so an engine must copy what it keeps.
   */
  load(manifest: Manifest, shards: ShardBytes): Promise<EngineRunner>;
}
