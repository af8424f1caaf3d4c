/**
 * @module model/model
 * The loaded model: `createModel(source, {engine, tokenizer})` reads the manifest once, reads and
 * verifies the shards, hands them to the engine, builds the tokenizer, and returns one object
 * with one `forward` (a sequence of ids → the head's outputs) plus what the API needs on top
 * of it: `run` (encoded sequences, token types included → raw head outputs, for the token
 * classification / QA / embedding services), classify, embed, tokenize. Every task has two
 * stages: `prepare` (tokenize one input, timed) and the run over prepared inputs
 * (`classifyPrepared`, `embedPrepared`), so callers that must count tokens before running (the
 * work budget) tokenize once; `classify` / `embed` do both. Engines and the tokenizer factory are
 * injected.
 */
import type { Engine, EngineRunner, ForwardOptions, SequenceOutput } from "./engine.ts";
import { isSequenceClassification, type Manifest, type Pooling } from "./manifest.ts";
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
  /**
   * Sentence vector, length hidden_size: for feature_extraction models the manifest's pooling
   * (`mean` over every position, or `cls`: the pooled [CLS]); for sequence classifiers the pooled [CLS].
   */
  embedding: number[];
  tokens: number;
  truncated: boolean;
  timings: StageTimings;
}

/** A text, or a sentence pair (`[CLS] text [SEP] text_pair [SEP]`, token types 0 / 1) for pair classifiers. */
export type ClassifyInput = string | { text: string; text_pair: string };

/** One input after the first stage: tokenized with the model's settings and window. */
export interface PreparedInput {
  input: ClassifyInput;
  encoding: Encoding;
  tokenizeMs: number;
}

export interface PrepareOptions {
  /** Compute the offsets now ("eager", for callers that read them) or on first read (default). */
  offsets?: "lazy" | "eager";
}

export interface EmbedOptions {
  /** feature_extraction models: `mean` over every position or `cls` (pooled [CLS]) instead of the manifest's pooling. */
  pooling?: Pooling;
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
  /** Token ids of one sequence (with [CLS]/[SEP]) → the head's outputs. */
  forward(ids: readonly number[], typeIds?: readonly number[], options?: ForwardOptions): Promise<SequenceOutput>;
  /**
   * Classification (softmax or sigmoid per manifest task); one result per text, same order.
   * Models with early exit stop per text once confident; `{fullDepth: true}` runs every layer.
   */
  classify(inputs: readonly ClassifyInput[], options?: ForwardOptions): Promise<Results<ClassifyResult>>;
  /** Tokenizes one input (the first stage of classify, embed and entities), timed. */
  prepare(input: ClassifyInput, options?: PrepareOptions): PreparedInput;
  /** `classify` over inputs already prepared (their tokenization is not repeated). */
  classifyPrepared(prepared: readonly PreparedInput[], options?: ForwardOptions): Promise<Results<ClassifyResult>>;
  /**
   * Encoded sequences (ids with [CLS]/[SEP]; typeIds, the token types, default all 0) → the
   * head's raw outputs, one per sequence in order (logits / pooled / mean / tokenLogits per task).
   * Runs them in one engine run where the engine can (same results as one at a time). The array
   * also carries (non-enumerable) `timings.modelMs`, the call's model time.
   */
  run(encodings: readonly EncodedSequence[], options?: ForwardOptions): Promise<RunOutputs>;
  /**
   * Sentence vectors: feature_extraction models per the manifest's pooling (mean or cls),
   * sequence classifiers their pooled [CLS]. TypeError for token classification / QA models.
   */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Results<EmbedResult>>;
  /** `embed` over texts already prepared. */
  embedPrepared(prepared: readonly PreparedInput[], options?: EmbedOptions): Promise<Results<EmbedResult>>;
  /** Truncation length in tokens incl. [CLS]/[SEP] (the model's window). */
  readonly maxLength: number;
  /** Tokenizes with the model's settings and truncation length. */
  tokenize(text: string): Encoding;
  /** A sentence pair as pair classifiers read it (`[CLS] text [SEP] pair [SEP]`, truncated longest first). */
  tokenizePair(text: string, pair: string): Encoding;
  dispose(): Promise<void>;
}

/** One encoded sequence for `run`: ids with [CLS]/[SEP], optional token types (0/1 for pairs). */
export interface EncodedSequence {
  ids: readonly number[];
  typeIds?: readonly number[];
}

/** `run`'s answer: one output per sequence, plus the call's model time (non-enumerable). */
export type RunOutputs = SequenceOutput[] & { readonly timings: { readonly modelMs: number } };

/** Alias used by the Worker. */
export type LoadedModel = AlbertModel;

/** Attaches the call's totals to one-per-input results (see `Results`). */
export function withTotals<T extends { timings: StageTimings }>(results: T[]): Results<T> {
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
   * Runs encoded sequences: in one engine run where the engine can stack sequences (results
   * identical to one at a time; each keeps its own length, no padding), else one by one.
   * Returns each sequence's share of the model time by token count.
   */
  async function runEncoded(seqs: readonly EncodedSequence[], options: ForwardOptions = {}): Promise<{ outputs: SequenceOutput[]; modelMs: number[] }> {
    if (runner.forwardMany !== undefined && seqs.length > 1) {
      const start = performance.now();
      const outputs = runner.forwardMany(seqs, options);
      const ms = performance.now() - start;
      const tokens = seqs.reduce((n, e) => n + e.ids.length, 0);
      return { outputs, modelMs: seqs.map((e) => (ms * e.ids.length) / tokens) };
    }
    const outputs: SequenceOutput[] = [];
    const modelMs: number[] = [];
    for (const e of seqs) {
      const start = performance.now();
      outputs.push(await runner.forward(e.ids, e.typeIds, options));
      modelMs.push(performance.now() - start);
    }
    return { outputs, modelMs };
  }

  const prepare = (input: ClassifyInput, options: PrepareOptions = {}): PreparedInput => {
    const start = performance.now();
    const settings = { maxLength, ...(options.offsets === undefined ? {} : { offsets: options.offsets }) };
    const encoding = typeof input === "string" ? tokenizer.encode(input, settings) : tokenizer.encode(input.text, { ...settings, pair: input.text_pair });
    return { input, encoding, tokenizeMs: performance.now() - start };
  };

  /** Runs prepared inputs (see runEncoded). */
  async function runPrepared(prepared: readonly PreparedInput[], options: ForwardOptions = {}): Promise<Ran[]> {
    const { outputs, modelMs } = await runEncoded(
      prepared.map((p) => ({ ids: p.encoding.ids, typeIds: p.encoding.typeIds })),
      options,
    );
    return prepared.map((p, i) => ({ encoding: p.encoding, output: outputs[i]!, timings: { tokenizeMs: p.tokenizeMs, modelMs: modelMs[i]! } }));
  }

  /** The vector embed() returns from one output. */
  const embeddingOf = (output: SequenceOutput, pooling: Pooling): Float32Array => {
    const v = manifest.task === "feature_extraction" && pooling === "mean" ? output.mean : output.pooled;
    if (v === undefined) throw new Error(`model ${manifest.id}: the engine returned no ${pooling === "mean" ? "mean" : "pooled [CLS]"} vector`);
    return v;
  };

  async function classifyPrepared(prepared: readonly PreparedInput[], options: ForwardOptions): Promise<Results<ClassifyResult>> {
    if (!isSequenceClassification(manifest.task)) {
      const use = manifest.task === "feature_extraction" ? "use embed()" : manifest.task === "token_classification" ? "use run() for per-token logits" : "use run() for start/end logits";
      throw new TypeError(`model ${manifest.id} is a ${manifest.task} model (no sequence classifier head); ${use}`);
    }
    const results = (await runPrepared(prepared, options)).map(({ encoding, output, timings }): ClassifyResult => {
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
  }

  async function embedPrepared(prepared: readonly PreparedInput[], options: EmbedOptions): Promise<Results<EmbedResult>> {
    if (manifest.task === "token_classification" || manifest.task === "question_answering") {
      throw new TypeError(`model ${manifest.id} is a ${manifest.task} model (no sentence vector); embed() needs a feature_extraction or sequence classification model`);
    }
    const pooling = options.pooling ?? manifest.pooling ?? "cls";
    return withTotals(
      (await runPrepared(prepared)).map(({ encoding, output, timings }) => ({
        embedding: Array.from(embeddingOf(output, pooling)),
        tokens: encoding.ids.length,
        truncated: encoding.truncated,
        timings,
      })),
    );
  }

  return {
    manifest,
    tokenizer,
    loadTimings,
    engine: runner.description,
    forward,
    async run(encodings, options = {}) {
      const { outputs, modelMs } = await runEncoded(encodings, options);
      const timings = { modelMs: modelMs.reduce((a, b) => a + b, 0) };
      return Object.defineProperty(outputs, "timings", { value: timings, enumerable: false }) as RunOutputs;
    },
    prepare,
    classify: (inputs, options = {}) => classifyPrepared(inputs.map((input) => prepare(input)), options),
    classifyPrepared: (prepared, options = {}) => classifyPrepared(prepared, options),
    embed: (texts, options = {}) => embedPrepared(texts.map((text) => prepare(text)), options),
    embedPrepared: (prepared, options = {}) => embedPrepared(prepared, options),
    tokenize: (text) => tokenizer.encode(text, { maxLength }),
    tokenizePair: (text, pair) => tokenizer.encode(text, { maxLength, pair }),
    maxLength,
    async dispose() {
      await runner.dispose();
    },
  };
}
