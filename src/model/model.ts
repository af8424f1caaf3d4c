/**
 * @module model/model
 * `createModel(source, options)`: reads and verifies the manifest's shards, builds the
 * tokenizer, creates the ORT sessions, and exposes classify / embed / run. The tokenizer
 * factory is a parameter here; `model/index.ts` binds the real ALBERT tokenizer.
 */
import { forward, forwardOne, type EncoderSessions, type ForwardOutput, type SequenceOutput } from "./encoder.ts";
import type { Manifest } from "./manifest.ts";
import { createSession, type OrtBackend } from "./ort.ts";
import { argmax, probabilities } from "./postprocess.ts";
import { readManifest, readShard, type ShardSource } from "./shard-source.ts";
import type { Encoding, ModelTokenizer, TokenizerFactory } from "./tokenizer.ts";

export interface ModelOptions {
  /** Truncation length in tokens incl. [CLS]/[SEP]; default and maximum: manifest max_length. */
  maxLength?: number;
  /**
   * For weight-only int8 models (manifest int8_matmul "dequantize"): dequantize the weights once
   * at load instead of on every run — about 2x faster, fp32 memory for weights. Default true.
   */
  foldInt8Weights?: boolean;
  /** ORT backend (default onnxruntime-web WASM); benchmarks pass onnxruntime-node. */
  backend?: OrtBackend;
}

export interface CreateModelOptions extends ModelOptions {
  tokenizer: TokenizerFactory;
}

/**
 * Milliseconds per stage. On a result: that text's tokenization and its own model time, so
 * summing a call's results gives the call's totals.
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
  /** Low-level: token ids (with [CLS]/[SEP]) → logits (pooled vectors for feature_extraction), one row per sequence. */
  run(ids: readonly (readonly number[])[]): Promise<number[][]>;
  /** Low-level: token ids → logits and pooled, one row per sequence. */
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

interface Done {
  encoded: Encoded;
  output: SequenceOutput;
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
  const backend = options.backend;
  const sessionOptions = {
    foldQuantizedWeights: manifest.int8_matmul === "dequantize" && options.foldInt8Weights !== false,
    ...(backend === undefined ? {} : { backend }),
  };
  // Sequential session creation keeps peak memory to one graph's optimization at a time.
  const sessions: EncoderSessions = {
    embeddings: await createSession(embeddingsBytes, sessionOptions),
    blocks: [],
    head: await createSession(headBytes, sessionOptions),
    ...(backend === undefined ? {} : { backend }),
  };
  for (const b of blockBytes) sessions.blocks.push(await createSession(b, sessionOptions));
  const tokenizer = await options.tokenizer(spiece, manifest.tokenizer);
  const loadTimings = { fetch: t1 - t0, init: performance.now() - t1 };

  const maxLength = Math.min(options.maxLength ?? manifest.tokenizer.max_length, manifest.tokenizer.max_length);
  if (maxLength < 2) throw new RangeError("maxLength must be at least 2");

  function encodeAll(texts: readonly string[]): Encoded[] {
    return texts.map((text, index) => {
      const start = performance.now();
      const e = tokenizer.encode(text, { maxLength });
      return { index, ids: e.ids, truncated: e.truncated, tokenizeMs: performance.now() - start };
    });
  }

  /** Runs each encoding alone at its own length, in input order. */
  async function runAll(encoded: Encoded[]): Promise<Done[]> {
    const out: Done[] = [];
    for (const e of encoded) {
      const start = performance.now();
      const output = await forwardOne(manifest, sessions, e.ids);
      out.push({ encoded: e, output, modelMs: performance.now() - start });
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
      const done = await runAll(encodeAll(texts));
      const results = done.map(({ encoded, output, modelMs }): ClassifyResult => {
        const logits = output.logits ?? [];
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
      const done = await runAll(encodeAll(texts));
      return withTotals(
        done.map(({ encoded, output, modelMs }) => ({
          embedding: output.pooled,
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
