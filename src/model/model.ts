/**
 * @module model/model
 * The loaded model: `createModel(source, {engine, tokenizer})` reads the manifest once, reads and
 * verifies the shards, hands them to the engine, builds the tokenizer, and returns one object
 * with one `forward` (a sequence of ids → logits / pooled vector) plus what the API needs on top
 * of it (classify, embed, tokenize). Engines and the tokenizer factory are injected.
 */
import type { Engine, EngineRunner, ForwardOptions, SequenceOutput } from "./engine.ts";
import type { Manifest } from "./manifest.ts";
import { argmax, probabilities } from "./postprocess.ts";
import { releaseBuffer } from "./release.ts";
import { readManifest, readShard, type ShardSource } from "./shard-source.ts";
import type { Encoding, ModelTokenizer, TokenizerFactory } from "./tokenizer.ts";

export interface ModelOptions {
  /** Truncation length in tokens incl. [CLS]/[SEP]; default and maximum: manifest max_length. */
  maxLength?: number;
}

export interface CreateModelOptions extends ModelOptions {
  engine: Engine;
  tokenizer: TokenizerFactory;
  /** The manifest, when the caller has already read and validated it (read once per model). */
  manifest?: Manifest;
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
  /** Block passes that ran. */
  layers: number;
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
  /** Loading the weights into the engine and building the tokenizer. */
  init: number;
}

export interface AlbertModel {
  readonly manifest: Manifest;
  readonly tokenizer: ModelTokenizer;
  readonly loadTimings: LoadTimings;
  /** Which engine runs the model, e.g. "wasm-simd/vnni" or "onnxruntime-web". */
  readonly engine: string;
  /** Token ids of one sequence (with [CLS]/[SEP]) → logits and pooled vector. */
  forward(ids: readonly number[], typeIds?: readonly number[], options?: ForwardOptions): Promise<SequenceOutput>;
  /**
   * Classification (softmax or sigmoid per manifest task); one result per text, same order.
   * Models with early exit stop per text once confident; `{fullDepth: true}` runs every layer.
   */
  classify(texts: readonly string[], options?: ForwardOptions): Promise<Results<ClassifyResult>>;
  /** Pooled sentence vectors (any task). */
  embed(texts: readonly string[]): Promise<Results<EmbedResult>>;
  /** Tokenizes with the model's settings and truncation length. */
  tokenize(text: string): Encoding;
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

interface Ran {
  encoding: Encoding;
  output: SequenceOutput;
  timings: StageTimings;
}

export async function createModel(source: ShardSource, options: CreateModelOptions): Promise<AlbertModel> {
  const t0 = performance.now();
  const manifest = options.manifest ?? (await readManifest(source));
  const groups = Array.from({ length: manifest.config.num_hidden_groups }, (_, g) => g);
  // The tokenizer is built as soon as its shard is in, while the weight shards are still arriving.
  const tokenizerReady = readShard(source, manifest, "tokenizer").then((spiece) => options.tokenizer(spiece, manifest.tokenizer));
  tokenizerReady.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const [embeddings, head, ...blocks] = await Promise.all([
    readShard(source, manifest, "embeddings"),
    readShard(source, manifest, "head"),
    ...groups.map((g) => readShard(source, manifest, "block", g)),
  ]);
  const t1 = performance.now();
  let runner: EngineRunner;
  try {
    runner = await options.engine.load(manifest, { embeddings, blocks, head });
  } finally {
    // The engine has copied what it needs; free the shard bytes now instead of whenever V8 next
    // collects (megabytes that would otherwise count against the isolate's memory for a while).
    for (const bytes of [embeddings, head, ...blocks]) releaseBuffer(bytes);
  }
  const tokenizer = await tokenizerReady;
  const loadTimings = { fetch: t1 - t0, init: performance.now() - t1 };

  const maxLength = Math.min(options.maxLength ?? manifest.tokenizer.max_length, manifest.tokenizer.max_length);
  if (maxLength < 2) throw new RangeError("maxLength must be at least 2");

  const forward = async (ids: readonly number[], typeIds?: readonly number[], options?: ForwardOptions): Promise<SequenceOutput> => runner.forward(ids, typeIds, options);

  /**
   * Tokenizes every text, then runs them: in one engine run where the engine can stack sequences
   * (results identical to one at a time; each text keeps its own length, no padding), else one
   * by one. A result's modelMs is its share of the run by token count.
   */
  async function runAll(texts: readonly string[], options: ForwardOptions = {}): Promise<Ran[]> {
    const encoded = texts.map((text) => {
      const start = performance.now();
      const encoding = tokenizer.encode(text, { maxLength });
      return { encoding, tokenizeMs: performance.now() - start };
    });
    if (runner.forwardMany !== undefined && encoded.length > 1) {
      const start = performance.now();
      const outputs = runner.forwardMany(
        encoded.map((e) => ({ ids: e.encoding.ids })),
        options,
      );
      const ms = performance.now() - start;
      const tokens = encoded.reduce((n, e) => n + e.encoding.ids.length, 0);
      return encoded.map((e, i) => ({ encoding: e.encoding, output: outputs[i]!, timings: { tokenizeMs: e.tokenizeMs, modelMs: (ms * e.encoding.ids.length) / tokens } }));
    }
    const out: Ran[] = [];
    for (const e of encoded) {
      const start = performance.now();
      const output = await forward(e.encoding.ids, undefined, options);
      out.push({ encoding: e.encoding, output, timings: { tokenizeMs: e.tokenizeMs, modelMs: performance.now() - start } });
    }
    return out;
  }

  return {
    manifest,
    tokenizer,
    loadTimings,
    engine: runner.description,
    forward,
    async classify(texts, options = {}) {
      if (manifest.task === "feature_extraction") {
        throw new TypeError(`model ${manifest.id} is a feature_extraction model (no classifier head); use embed()`);
      }
      const results = (await runAll(texts, options)).map(({ encoding, output, timings }): ClassifyResult => {
        const logits = Array.from(output.logits ?? []);
        const probs = probabilities(manifest.task, logits);
        const best = argmax(probs);
        const scores: Record<string, number> = {};
        manifest.labels.forEach((l, i) => (scores[l] = probs[i] as number));
        return {
          label: manifest.labels[best] as string,
          score: probs[best] as number,
          scores,
          logits,
          tokens: encoding.ids.length,
          truncated: encoding.truncated,
          layers: output.layers,
          timings,
        };
      });
      return withTotals(results);
    },
    async embed(texts) {
      return withTotals(
        (await runAll(texts)).map(({ encoding, output, timings }) => ({
          embedding: Array.from(output.pooled),
          tokens: encoding.ids.length,
          truncated: encoding.truncated,
          timings,
        })),
      );
    },
    tokenize: (text) => tokenizer.encode(text, { maxLength }),
    async dispose() {
      await runner.dispose();
    },
  };
}
