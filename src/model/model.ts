/**
 * @module model/model
 * `createModel(source, options)`: reads and verifies the manifest's shards, builds the
 * tokenizer, creates the ORT sessions, and exposes classify / embed / run. The tokenizer
 * factory is a parameter here; `model/index.ts` binds the real ALBERT tokenizer.
 */
import { forward, type EncoderSessions, type ForwardOutput } from "./encoder.ts";
import type { Manifest } from "./manifest.ts";
import { createSession } from "./ort.ts";
import { argmax, probabilities } from "./postprocess.ts";
import { readManifest, readShard, type ShardSource } from "./shard-source.ts";
import type { Encoding, ModelTokenizer, TokenizerFactory } from "./tokenizer.ts";

export interface ModelOptions {
  /** Truncation length in tokens incl. [CLS]/[SEP]; default and maximum: manifest max_length. */
  maxLength?: number;
  /** Texts per ORT batch (sorted by length, right-padded). Default 8. */
  batchSize?: number;
  /**
   * For weight-only int8 models (manifest int8_matmul "dequantize"): dequantize the weights once
   * at load instead of on every run — about 2x faster, fp32 memory for weights. Default true.
   */
  foldInt8Weights?: boolean;
}

export interface CreateModelOptions extends ModelOptions {
  tokenizer: TokenizerFactory;
}

/**
 * Milliseconds per stage. On a result: that text's tokenization and its share of its batch's
 * model time (batch time / batch size), so summing a call's results gives the call's totals.
 */
export interface StageTimings {
  tokenizeMs: number;
  modelMs: number;
}

/**
 * One result per input, in input order. The array also carries (non-enumerable, so JSON shows
 * only the results) `timings`, the call's totals for `server-timing`, and `results`, itself.
 */
export type Results<T> = T[] & { readonly results: T[]; readonly timings: StageTimings };

export interface ClassifyResult {
  label: string;
  score: number;
  scores: Record<string, number>;
  logits: number[];
  /** Token count after truncation, including [CLS] and [SEP]. */
  tokens: number;
  truncated: boolean;
  timings: StageTimings;
}

export interface EmbedResult {
  /** Pooled [CLS] vector, length hidden_size. */
  embedding: number[];
  tokens: number;
  truncated: boolean;
  timings: StageTimings;
}

export interface LoadTimings {
  /** Reading + verifying shards. */
  fetch: number;
  /** Creating ORT sessions and the tokenizer. */
  init: number;
}

export interface AlbertModel {
  readonly manifest: Manifest;
  readonly tokenizer: ModelTokenizer;
  readonly loadTimings: LoadTimings;
  /** Classification (softmax or sigmoid per manifest task); one result per text, same order. */
  classify(texts: readonly string[]): Promise<Results<ClassifyResult>>;
  /** Pooled sentence vectors (any task). */
  embed(texts: readonly string[]): Promise<Results<EmbedResult>>;
  /** Tokenizes with the model's settings and truncation length. */
  tokenize(text: string): Encoding;
  /** Low-level: token ids (with [CLS]/[SEP]) → logits (pooled vectors for feature_extraction), one batch. */
  run(ids: readonly (readonly number[])[]): Promise<number[][]>;
  /** Low-level: token ids → logits and pooled, one batch. */
  forward(ids: readonly (readonly number[])[]): Promise<ForwardOutput>;
  /** Releases the ORT sessions. */
  dispose(): Promise<void>;
}

/** Alias used by the Worker. */
export type LoadedModel = AlbertModel;

function withTotals<T extends { timings: StageTimings }>(results: T[]): Results<T> {
  const timings: StageTimings = { tokenizeMs: 0, modelMs: 0 };
  for (const r of results) {
    timings.tokenizeMs += r.timings.tokenizeMs;
    timings.modelMs += r.timings.modelMs;
  }
  return Object.defineProperties(results, {
    results: { value: results, enumerable: false },
    timings: { value: timings, enumerable: false },
  }) as Results<T>;
}

interface Encoded {
  index: number;
  ids: number[];
  truncated: boolean;
  tokenizeMs: number;
}

interface Batched {
  encoded: Encoded;
  output: ForwardOutput;
  row: number;
  modelMs: number;
}

export async function createModel(source: ShardSource, options: CreateModelOptions): Promise<AlbertModel> {
  const t0 = performance.now();
  const manifest = await readManifest(source);
  const groups = Array.from({ length: manifest.config.num_hidden_groups }, (_, g) => g);
  const [embeddingsBytes, headBytes, spiece, ...blockBytes] = await Promise.all([
    readShard(source, manifest, "embeddings"),
    readShard(source, manifest, "head"),
    readShard(source, manifest, "tokenizer"),
    ...groups.map((g) => readShard(source, manifest, "block", g)),
  ]);
  const t1 = performance.now();
  const sessionOptions = { foldQuantizedWeights: manifest.int8_matmul === "dequantize" && options.foldInt8Weights !== false };
  // Sequential session creation keeps peak memory to one graph's optimization at a time.
  const sessions: EncoderSessions = {
    embeddings: await createSession(embeddingsBytes, sessionOptions),
    blocks: [],
    head: await createSession(headBytes, sessionOptions),
  };
  for (const b of blockBytes) sessions.blocks.push(await createSession(b, sessionOptions));
  const tokenizer = await options.tokenizer(spiece, manifest.tokenizer);
  const loadTimings = { fetch: t1 - t0, init: performance.now() - t1 };

  const maxLength = Math.min(options.maxLength ?? manifest.tokenizer.max_length, manifest.tokenizer.max_length);
  if (maxLength < 2) throw new RangeError("maxLength must be at least 2");
  const batchSize = Math.max(1, options.batchSize ?? 8);

  function encodeAll(texts: readonly string[]): Encoded[] {
    return texts.map((text, index) => {
      const start = performance.now();
      const e = tokenizer.encode(text, { maxLength });
      return { index, ids: e.ids, truncated: e.truncated, tokenizeMs: performance.now() - start };
    });
  }

  /** Runs encodings in length-sorted batches; returns them back in input order. */
  async function runBatches(encoded: Encoded[]): Promise<Batched[]> {
    const order = [...encoded].sort((a, b) => a.ids.length - b.ids.length || a.index - b.index);
    const out: Batched[] = new Array(encoded.length);
    for (let i = 0; i < order.length; i += batchSize) {
      const batch = order.slice(i, i + batchSize);
      const start = performance.now();
      const output = await forward(manifest, sessions, batch.map((e) => e.ids));
      const modelMs = (performance.now() - start) / batch.length;
      batch.forEach((e, row) => {
        out[e.index] = { encoded: e, output, row, modelMs };
      });
    }
    return out;
  }

  return {
    manifest,
    tokenizer,
    loadTimings,
    async classify(texts) {
      if (manifest.task === "feature_extraction") {
        throw new TypeError(`model ${manifest.id} is a feature_extraction model (no classifier head); use embed()`);
      }
      const done = await runBatches(encodeAll(texts));
      const results = done.map(({ encoded, output, row, modelMs }): ClassifyResult => {
        const logits = output.logits?.[row] ?? [];
        const probs = probabilities(manifest.task, logits);
        const best = argmax(probs);
        const scores: Record<string, number> = {};
        manifest.labels.forEach((l, i) => (scores[l] = probs[i] as number));
        return {
          label: manifest.labels[best] as string,
          score: probs[best] as number,
          scores,
          logits,
          tokens: encoded.ids.length,
          truncated: encoded.truncated,
          timings: { tokenizeMs: encoded.tokenizeMs, modelMs },
        };
      });
      return withTotals(results);
    },
    async embed(texts) {
      const done = await runBatches(encodeAll(texts));
      return withTotals(
        done.map(({ encoded, output, row, modelMs }) => ({
          embedding: output.pooled[row] ?? [],
          tokens: encoded.ids.length,
          truncated: encoded.truncated,
          timings: { tokenizeMs: encoded.tokenizeMs, modelMs },
        })),
      );
    },
    tokenize: (text) => tokenizer.encode(text, { maxLength }),
    async run(ids) {
      const out = await forward(manifest, sessions, ids);
      return out.logits ?? out.pooled;
    },
    forward: (ids) => forward(manifest, sessions, ids),
    async dispose() {
      await Promise.all([sessions.embeddings, sessions.head, ...sessions.blocks].map((s) => s.release()));
    },
  };
}
