/**
 * @module engine/albert
 * ALBERT's forward pass on our WASM kernels, written to be read top to bottom (llama2.c's
 * run.c is the model): the config, the weights (in kernel memory), the state (every activation
 * buffer, sized once for the longest sequence), and one `forward`.
 *
 *   embeddings: word + position + type, LayerNorm (E), projection E→H
 *   for layer in 0..N-1: the layers of its group (shared weights), each
 *     qkv = x·Wqkv; ctx = attention(qkv); a = LN(x + ctx·Wo); x = LN(a + gelu(a·W1)·W2)
 *   head, per task: pooled = tanh(x[CLS]·Wp); logits = pooled·Wc   (sequence classification)
 *                   tokenLogits = x·Wt                           (token classification, QA start/end)
 *                   mean = mean of x's rows (+ pooled with a pooler) (feature extraction)
 *   (with early exit: the head after every layer, stopping per PABEE — model/early-exit.ts)
 *
 * Every Linear is int8: its input is quantized per row (per token) to 7 bits, multiplied with
 * the relaxed-SIMD dot product, and rescaled to fp32. Attention, LayerNorm and activations run
 * in fp32 SIMD. With fp32 precision (the default for `--fp32` shards) Linears run on the fp32
 * GEMM instead, embedding tables stay fp32 and attention is fp32: the reference-accurate mode.
 * Sequences run one at a time at their own length (no padding), so a text's result never
 * depends on what else is being processed.
 */
import { exitCutoffs, ExitTracker, type ExitCutoffs } from "../model/early-exit.ts";
import { runPatience, type ForwardOptions, type SequenceOutput } from "../model/engine.ts";
import { groupOfLayer, type Manifest, type ModelConfig } from "../model/manifest.ts";
import { Arena } from "./arena.ts";
import { ACT, type Kernels } from "./kernels.ts";
import { isFloatLinear, padK, planLinear, writeLinear, type EmbeddingsSource, type HeadSource, type Layer, type LayerSource, type PackedLinear, type Precision, type TableSource } from "./weights.ts";

/** A layer in kernel memory (byte offsets). */
type LayerWeights = Layer<PackedLinear, number>;

interface Weights {
  /** Embedding tables: int8 rows × per-row scale, or (fp32 precision) f32 rows with scale offsets 0. */
  word: number;
  wordScale: number;
  position: number;
  positionScale: number;
  tokenType: number;
  embGamma: number;
  embBeta: number;
  projection: PackedLinear;
  /** [group][inner layer]. */
  groups: LayerWeights[][];
  pooler?: PackedLinear;
  classifier?: PackedLinear;
  /** Per-token Linear: token classifier or QA start/end. */
  tokens?: PackedLinear;
}

/** Activation buffers (byte offsets), sized for `maxTokens`. */
interface State {
  ids: number;
  types: number;
  emb: number; // f32 [S][E]
  x: number; // f32 [S][H], the hidden state
  attn: number; // f32 [S][H], the attention block's output (a)
  qkv: number; // f32 [S][3H]
  ctx: number; // f32 [S][H]
  ffn: number; // f32 [S][I]
  xq: number; // u8 [S][Kp], quantized Linear input
  xScale: number; // f32 [S]
  xZero: number; // i32 [S]
  kt: number; // f32 [D][Sp], fp32 attention scratch
  probs: number; // f32 [S][Sp], attention scores / probabilities
  attnScratch: number; // int8 attention scratch (quantized Q, K, P, Vᵀ)
  pooled: number; // f32 [H]
  logits: number; // f32 [L]
  tokenLogits: number; // f32 [S][columns], per-token heads only (else 0)
}

export interface EngineSources {
  embeddings: EmbeddingsSource;
  /** [group][inner layer]. */
  groups: LayerSource[][];
  head: HeadSource;
}

/** How attention's two products run: int8 on the GEMM kernel (default) or fp32 SIMD. */
export type AttentionMode = "int8" | "fp32";

export interface EngineOptions {
  attention?: AttentionMode;
}

/** One input sequence: token ids with [CLS]/[SEP], optional token types (default 0). */
export interface Sequence {
  ids: ArrayLike<number>;
  typeIds?: ArrayLike<number>;
}

/** One sequence's outputs (the model layer's SequenceOutput). */
export type ForwardResult = SequenceOutput;

export class AlbertEngine {
  readonly config: ModelConfig;
  readonly kernels: Kernels;
  readonly maxTokens: number;
  /** Bytes of kernel memory this model uses (weights + buffers). */
  readonly memoryBytes: number;
  readonly #k: Kernels["exports"];
  readonly #arena: Arena;
  readonly #w: Weights;
  readonly #s: State;
  readonly #labels: number;
  readonly #act: number;
  /** What the early-exit rule compares (per model: the labels' threshold logits, or argmax). */
  readonly #exitCutoffs: ExitCutoffs;
  readonly #patience: number | undefined;
  readonly attention: AttentionMode;
  /** int8 (the default for int8 shards) or fp32 (fp32 shards): set by the sources' weights. */
  readonly precision: Precision;

  constructor(manifest: Manifest, kernels: Kernels, src: EngineSources, options: EngineOptions = {}) {
    const c = manifest.config;
    this.config = c;
    this.kernels = kernels;
    this.#k = kernels.exports;
    this.#labels = manifest.labels.length;
    this.precision = isFloatLinear(src.embeddings.projection) ? "fp32" : "int8";
    this.attention = options.attention ?? (this.precision === "fp32" ? "fp32" : "int8");
    this.#exitCutoffs = exitCutoffs(manifest);
    this.#patience = manifest.early_exit?.patience;
    this.#act = c.hidden_act === "gelu" ? ACT.gelu_erf : c.hidden_act === "relu" ? ACT.relu : ACT.gelu_tanh;
    const arena = new Arena(kernels.exports.memory);
    this.#arena = arena;
    const S = c.max_position_embeddings;
    this.maxTokens = S;
    const { embedding_size: E, hidden_size: H, intermediate_size: I, num_attention_heads: NH } = c;
    const e = src.embeddings;

    // Weights.
    const planLayer = (l: LayerSource): LayerWeights => ({
      qkv: planLinear(arena, l.qkv),
      dense: planLinear(arena, l.dense),
      ln1: [arena.alloc(H * 4), arena.alloc(H * 4)],
      ffn: planLinear(arena, l.ffn),
      ffnOut: planLinear(arena, l.ffnOut),
      ln2: [arena.alloc(H * 4), arena.alloc(H * 4)],
    });
    const planTable = (t: TableSource): [number, number] => ("f" in t ? [arena.alloc(t.f.length * 4), 0] : [arena.alloc(t.q.length), arena.alloc(t.rows * 4)]);
    const [word, wordScale] = planTable(e.word);
    const [position, positionScale] = planTable(e.position);
    this.#w = {
      word,
      wordScale,
      position,
      positionScale,
      tokenType: arena.alloc(e.tokenType.length * 4),
      embGamma: arena.alloc(E * 4),
      embBeta: arena.alloc(E * 4),
      projection: planLinear(arena, e.projection),
      groups: src.groups.map((g) => g.map(planLayer)),
      ...(src.head.pooler === undefined ? {} : { pooler: planLinear(arena, src.head.pooler) }),
      ...(src.head.classifier === undefined ? {} : { classifier: planLinear(arena, src.head.classifier) }),
      ...(src.head.tokens === undefined ? {} : { tokens: planLinear(arena, src.head.tokens) }),
    };
    const columns = src.head.tokens?.n ?? 0;
    // State.
    const Sp = Math.ceil(S / 8) * 8;
    const Kp = Math.max(padK(E), padK(H), padK(I));
    this.#s = {
      ids: arena.alloc(S * 4),
      types: arena.alloc(S * 4),
      emb: arena.alloc(S * E * 4),
      x: arena.alloc(S * H * 4),
      attn: arena.alloc(S * H * 4),
      qkv: arena.alloc(S * 3 * H * 4),
      ctx: arena.alloc(S * H * 4),
      ffn: arena.alloc(S * I * 4),
      xq: arena.alloc(S * Kp),
      xScale: arena.alloc(S * 4),
      xZero: arena.alloc(S * 4),
      kt: arena.alloc((H / NH) * Sp * 4),
      probs: arena.alloc(S * Sp * 4),
      attnScratch: arena.alloc(kernels.exports.attention_int8_scratch(S, H, NH)),
      pooled: arena.alloc(H * 4),
      logits: arena.alloc(Math.max(this.#labels, 1) * 4),
      tokenLogits: columns === 0 ? 0 : arena.alloc(S * columns * 4),
    };
    // Load-time staging for packing weights: the largest Linear's k·n bytes, inside the FFN
    // activation buffer when it is big enough (it always is for ALBERT shapes), else its own.
    const head = [src.head.pooler, src.head.classifier, src.head.tokens].filter((l) => l !== undefined);
    const linears = [e.projection, ...head, ...src.groups.flat().flatMap((l) => [l.qkv, l.dense, l.ffn, l.ffnOut])];
    const stagingBytes = Math.max(...linears.map((l) => l.k * l.n));
    const staging = stagingBytes <= S * I * 4 ? this.#s.ffn : arena.alloc(stagingBytes);
    arena.commit();
    this.memoryBytes = kernels.exports.memory.buffer.byteLength;

    // Copy the weights in.
    const w = this.#w;
    const writeTable = (t: TableSource, at: number, scaleAt: number): void => {
      if ("f" in t) arena.f32(at, t.f.length).set(t.f);
      else {
        arena.i8(at, t.q.length).set(t.q);
        arena.f32(scaleAt, t.rows).set(t.scale);
      }
    };
    writeTable(e.word, w.word, w.wordScale);
    writeTable(e.position, w.position, w.positionScale);
    arena.f32(w.tokenType, e.tokenType.length).set(e.tokenType);
    arena.f32(w.embGamma, E).set(e.gamma);
    arena.f32(w.embBeta, E).set(e.beta);
    writeLinear(arena, kernels.exports, staging, w.projection, e.projection);
    src.groups.forEach((g, gi) =>
      g.forEach((l, li) => {
        const d = w.groups[gi]![li]!;
        writeLinear(arena, kernels.exports, staging, d.qkv, l.qkv);
        writeLinear(arena, kernels.exports, staging, d.dense, l.dense);
        writeLinear(arena, kernels.exports, staging, d.ffn, l.ffn);
        writeLinear(arena, kernels.exports, staging, d.ffnOut, l.ffnOut);
        arena.f32(d.ln1[0], H).set(l.ln1[0]);
        arena.f32(d.ln1[1], H).set(l.ln1[1]);
        arena.f32(d.ln2[0], H).set(l.ln2[0]);
        arena.f32(d.ln2[1], H).set(l.ln2[1]);
      }),
    );
    if (w.pooler !== undefined && src.head.pooler !== undefined) writeLinear(arena, kernels.exports, staging, w.pooler, src.head.pooler);
    if (w.classifier !== undefined && src.head.classifier !== undefined) writeLinear(arena, kernels.exports, staging, w.classifier, src.head.classifier);
    if (w.tokens !== undefined && src.head.tokens !== undefined) writeLinear(arena, kernels.exports, staging, w.tokens, src.head.tokens);
  }

  /** out[m][n] = x[m][k]·W + b: quantize the rows of x, then the int8 GEMM. */
  #linear(x: number, m: number, ldx: number, l: PackedLinear, out: number, ldo: number): void {
    if (l.f32) {
      this.#k.gemm_f32(x, m, l.k, ldx, l.w, l.n, l.np, out, ldo, l.bias);
      return;
    }
    const s = this.#s;
    this.#k.quantize_rows(x, m, l.k, ldx, s.xq, l.kp, s.xScale, s.xZero);
    this.#k.gemm_u7i8(s.xq, m, l.kp, l.w, l.n, l.np, out, ldo, s.xScale, s.xZero, l.scale, l.wsum, l.bias);
  }

  /** One AlbertLayer over the hidden state x [S][H] (S rows of stacked sequences), in place. */
  #layer(L: LayerWeights, S: number, attend: () => void): void {
    const { hidden_size: H, intermediate_size: I, layer_norm_eps: eps } = this.config;
    const s = this.#s;
    const k = this.#k;
    this.#linear(s.x, S, H, L.qkv, s.qkv, 3 * H);
    attend(); // per sequence: qkv → ctx
    this.#linear(s.ctx, S, H, L.dense, s.attn, H);
    k.add_layernorm(s.attn, s.x, S, H, L.ln1[0], L.ln1[1], eps); // a = LN(x + attn)
    this.#linear(s.attn, S, H, L.ffn, s.ffn, I);
    k.activate(s.ffn, S, I, I, this.#act);
    this.#linear(s.ffn, S, I, L.ffnOut, s.x, H);
    k.add_layernorm(s.x, s.attn, S, H, L.ln2[0], L.ln2[1], eps); // x = LN(ffn + a)
  }

  /** Token ids (with [CLS]/[SEP]) and optional token types → the head's outputs. */
  forward(ids: ArrayLike<number>, typeIds?: ArrayLike<number>, options: ForwardOptions = {}): ForwardResult {
    return this.forwardMany([typeIds === undefined ? { ids } : { ids, typeIds }], options)[0]!;
  }

  /**
   * Several sequences in one engine run: their tokens are stacked as rows of every Linear
   * (quantization is per row, so each row's arithmetic is the same as alone: results are
   * bit-identical to `forward`), attention runs per sequence. Sequences are grouped so each run
   * holds at most `maxTokens` rows.
   */
  forwardMany(seqs: readonly Sequence[], options: ForwardOptions = {}): ForwardResult[] {
    for (const q of seqs) this.#check(q);
    const patience = runPatience(options, this.#patience);
    const out: ForwardResult[] = [];
    let start = 0;
    while (start < seqs.length) {
      let end = start;
      let rows = 0;
      while (end < seqs.length && rows + seqs[end]!.ids.length <= this.maxTokens) rows += seqs[end++]!.ids.length;
      out.push(...this.#run(seqs.slice(start, end), rows, patience));
      start = end;
    }
    if (out.length !== seqs.length) throw new Error(`forwardMany: ${out.length} results for ${seqs.length} sequences`);
    return out;
  }

  #check(q: Sequence): void {
    const c = this.config;
    const S = q.ids.length;
    if (S === 0) throw new RangeError("forward: empty sequence");
    if (S > this.maxTokens) throw new RangeError(`forward: sequence of ${S} tokens exceeds max_position_embeddings ${this.maxTokens}`);
    if (q.typeIds !== undefined && q.typeIds.length !== S) throw new RangeError(`forward: ${q.typeIds.length} token types for ${S} tokens`);
    for (let i = 0; i < S; i++) {
      const id = q.ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= c.vocab_size) throw new RangeError(`forward: token id ${id} outside [0, ${c.vocab_size})`);
      const t = q.typeIds === undefined ? 0 : q.typeIds[i]!;
      if (!Number.isInteger(t) || t < 0 || t >= c.type_vocab_size) throw new RangeError(`forward: token type ${t} outside [0, ${c.type_vocab_size})`);
    }
  }

  /** One engine run over sequences whose tokens (`rows` in total) fit the buffers. */
  #run(seqs: readonly Sequence[], rows: number, patience: number | undefined): ForwardResult[] {
    const c = this.config;
    const s = this.#s;
    const w = this.#w;
    const a = this.#arena;
    const k = this.#k;
    const { embedding_size: E, hidden_size: H, num_attention_heads: NH } = c;
    const idView = a.i32(s.ids, rows);
    const typeView = a.i32(s.types, rows);
    const offsets: number[] = [];
    let o = 0;
    for (const q of seqs) {
      offsets.push(o);
      for (let i = 0; i < q.ids.length; i++) {
        idView[o + i] = q.ids[i]!;
        typeView[o + i] = q.typeIds === undefined ? 0 : q.typeIds[i]!;
      }
      // Positions restart at 0 for every sequence.
      if (this.precision === "fp32") this.#embedF32(q, s.emb + o * E * 4);
      else k.embed(s.ids + o * 4, s.types + o * 4, q.ids.length, E, w.word, w.wordScale, w.position, w.positionScale, w.tokenType, w.embGamma, w.embBeta, c.layer_norm_eps, s.emb + o * E * 4);
      o += q.ids.length;
    }
    this.#linear(s.emb, rows, E, w.projection, s.x, H);
    const results: (ForwardResult | undefined)[] = seqs.map(() => undefined);
    const trackers = patience === undefined || w.classifier === undefined ? undefined : seqs.map(() => new ExitTracker(patience, this.#exitCutoffs));
    const attend = (): void => {
      seqs.forEach((q, i) => {
        if (results[i] !== undefined) return; // exited early: its rows are no longer read
        const r = offsets[i]!;
        const qkv = s.qkv + r * 3 * H * 4;
        const ctx = s.ctx + r * H * 4;
        if (this.attention === "int8") k.attention_int8(qkv, q.ids.length, H, NH, ctx, s.probs, s.attnScratch);
        else k.attention(qkv, q.ids.length, H, NH, ctx, s.kt, s.probs);
      });
    };
    let open = seqs.length;
    for (let i = 0; i < c.num_hidden_layers && open > 0; i++) {
      for (const L of w.groups[groupOfLayer(c, i)]!) this.#layer(L, rows, attend);
      if (trackers === undefined) continue;
      seqs.forEach((_, j) => {
        if (results[j] !== undefined) return;
        const head = this.#classify(offsets[j]!, i + 1);
        if (trackers[j]!.update(head.logits!)) {
          results[j] = head;
          open--;
        }
      });
    }
    return results.map((r, j) => r ?? this.#head(offsets[j]!, seqs[j]!.ids.length, c.num_hidden_layers));
  }

  /** fp32 embeddings of one sequence into `out` [len][E]: word + position + type rows, then LayerNorm. */
  #embedF32(q: Sequence, out: number): void {
    const { embedding_size: E, vocab_size: V, max_position_embeddings: P, type_vocab_size: T, layer_norm_eps: eps } = this.config;
    const a = this.#arena;
    const w = this.#w;
    const len = q.ids.length;
    const word = a.f32(w.word, V * E);
    const pos = a.f32(w.position, P * E);
    const type = a.f32(w.tokenType, T * E);
    const dst = a.f32(out, len * E);
    for (let t = 0; t < len; t++) {
      const wo = q.ids[t]! * E;
      const to = (q.typeIds === undefined ? 0 : q.typeIds[t]!) * E;
      for (let c = 0; c < E; c++) dst[t * E + c] = word[wo + c]! + pos[t * E + c]! + type[to + c]!;
    }
    this.#k.add_layernorm(out, 0, len, E, w.embGamma, w.embBeta, eps);
  }

  /** The task's head on the sequence of `len` rows starting at row `r`. */
  #head(r: number, len: number, layers: number): ForwardResult {
    const w = this.#w;
    if (w.classifier !== undefined) return this.#classify(r, layers);
    if (w.tokens !== undefined) {
      const n = w.tokens.n;
      this.#linear(this.#s.x + r * this.config.hidden_size * 4, len, this.config.hidden_size, w.tokens, this.#s.tokenLogits, n);
      return { tokenLogits: this.#arena.f32(this.#s.tokenLogits, len * n).slice(), layers };
    }
    const mean = this.#mean(r, len);
    return w.pooler === undefined ? { mean, layers } : { mean, pooled: this.#pool(r), layers };
  }

  /** Mean of the hidden state's `len` rows from row `r` (fp64 sums). */
  #mean(r: number, len: number): Float32Array {
    const H = this.config.hidden_size;
    const x = this.#arena.f32(this.#s.x + r * H * 4, len * H);
    const sum = new Float64Array(H);
    for (let t = 0; t < len; t++) for (let h = 0; h < H; h++) sum[h]! += x[t * H + h]!;
    const mean = new Float32Array(H);
    for (let h = 0; h < H; h++) mean[h] = sum[h]! / len;
    return mean;
  }

  /** tanh(pooler(x[CLS])) of the sequence starting at row `r`, left in the pooled buffer and copied out. */
  #pool(r: number): Float32Array {
    const { hidden_size: H } = this.config;
    const s = this.#s;
    this.#linear(s.x + r * H * 4, 1, H, this.#w.pooler!, s.pooled, H);
    this.#k.tanh_inplace(s.pooled, H);
    return this.#arena.f32(s.pooled, H).slice();
  }

  /** Pooler and classifier on the [CLS] row of the sequence starting at row `r`. */
  #classify(r: number, layers: number): ForwardResult {
    const s = this.#s;
    const pooled = this.#pool(r);
    this.#linear(s.pooled, 1, this.config.hidden_size, this.#w.classifier!, s.logits, this.#labels);
    return { logits: this.#arena.f32(s.logits, this.#labels).slice(), pooled, layers };
  }
}
