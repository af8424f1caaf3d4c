/**
 * @module ort/encoder
 * The ALBERT forward pass over onnxruntime sessions: embeddings shard, then the loop we own — layer i
 * runs its group's block session (Hugging Face schedule), feeding each output tensor straight
 * back in — then the head shard.
 *
 * Every sequence runs alone at its own length: no padding (padding a batch to its longest text
 * wastes compute on pad positions), and a text's result never depends on what else is in the
 * request — which the int8 "dynamic" scheme needs, since it quantizes activations with one scale
 * per tensor. Measured on one thread, batching equal-length sequences gained nothing (per-run
 * overhead is ~20 µs; see bench/RESULTS.md). `plain` block graphs still take an additive mask
 * input; it is all zeros here. Each pass's input is freed as soon as the next pass has consumed
 * it (`releaseTensor`), so long inputs do not pile up garbage between collections.
 */
import { exitCutoffs, ExitTracker } from "../model/early-exit.ts";
import { runPatience, type ForwardOptions, type SequenceOutput } from "../model/engine.ts";
import { groupOfLayer, isSequenceClassification, type Manifest } from "../model/manifest.ts";
import { releaseTensor, webBackend, type OrtBackend, type OrtTensor, type Session } from "./ort.ts";

export const MASK_VALUE = -10000;

export interface EncoderSessions {
  embeddings: Session;
  blocks: Session[];
  head: Session;
  /** ORT package the sessions belong to (tensors must come from the same one); default onnxruntime-web. */
  backend?: OrtBackend;
}

function checkIds(manifest: Manifest, seq: readonly number[], typeIds?: readonly number[]): void {
  if (seq.length === 0) throw new RangeError("forward: empty sequence");
  if (seq.length > manifest.config.max_position_embeddings) {
    throw new RangeError(`forward: sequence of ${seq.length} tokens exceeds max_position_embeddings ${manifest.config.max_position_embeddings}`);
  }
  for (const id of seq) {
    if (!Number.isInteger(id) || id < 0 || id >= manifest.config.vocab_size) throw new RangeError(`forward: token id ${id} outside [0, ${manifest.config.vocab_size})`);
  }
  if (typeIds !== undefined) {
    if (typeIds.length !== seq.length) throw new RangeError(`forward: ${typeIds.length} token types for ${seq.length} tokens`);
    for (const t of typeIds) {
      if (!Number.isInteger(t) || t < 0 || t >= manifest.config.type_vocab_size) throw new RangeError(`forward: token type ${t} outside [0, ${manifest.config.type_vocab_size})`);
    }
  }
}

/** Runs one sequence (already with [CLS]/[SEP]) through the model at its own length. */
export async function forwardOne(manifest: Manifest, sessions: EncoderSessions, seq: readonly number[], typeIds?: readonly number[], options: ForwardOptions = {}): Promise<SequenceOutput> {
  checkIds(manifest, seq, typeIds);
  const backend = sessions.backend ?? webBackend;
  const S = seq.length;
  const inputIds = new BigInt64Array(S);
  const types = new BigInt64Array(S);
  for (let s = 0; s < S; s++) {
    inputIds[s] = BigInt(seq[s] as number);
    if (typeIds !== undefined) types[s] = BigInt(typeIds[s] as number);
  }
  const emb = await sessions.embeddings.run({
    input_ids: new backend.Tensor("int64", inputIds, [1, S]),
    token_type_ids: new backend.Tensor("int64", types, [1, S]),
  });
  const first: OrtTensor | undefined = emb.hidden;
  if (first === undefined) throw new Error("embeddings shard returned no `hidden`");
  let hidden: OrtTensor = first;
  let mask: OrtTensor | undefined;
  // Early exit (PABEE): the head reads the hidden state after every layer.
  const patience = isSequenceClassification(manifest.task) ? runPatience(options, manifest.early_exit?.patience) : undefined;
  const tracker = patience === undefined ? undefined : new ExitTracker(patience, exitCutoffs(manifest));
  const layers = manifest.config.num_hidden_layers;
  for (let i = 0; i < layers; i++) {
    const block = sessions.blocks[groupOfLayer(manifest.config, i)];
    if (block === undefined) throw new Error(`no block session for layer ${i}`);
    let feeds: Record<string, OrtTensor> = { hidden };
    if (block.inputNames.includes("attention_mask")) {
      mask ??= new backend.Tensor("float32", new Float32Array(S), [1, 1, 1, S]);
      feeds = { hidden, attention_mask: mask };
    }
    const out = await block.run(feeds);
    const next: OrtTensor | undefined = out.hidden_out;
    if (next === undefined) throw new Error("block shard returned no `hidden_out`");
    releaseTensor(hidden);
    hidden = next;
    if (tracker !== undefined && i + 1 < layers) {
      const result = await runHead(manifest, sessions, hidden, i + 1);
      if (tracker.update(result.logits ?? [])) {
        releaseTensor(hidden);
        return result;
      }
    }
  }
  const result = await runHead(manifest, sessions, hidden, layers);
  releaseTensor(hidden);
  return result;
}

/** The head shard's outputs that this task has (each one required). */
async function runHead(manifest: Manifest, sessions: EncoderSessions, hidden: OrtTensor, layers: number): Promise<SequenceOutput> {
  const head = await sessions.head.run({ hidden });
  const take = (name: string): Float32Array => {
    const t = head[name];
    if (t === undefined) throw new Error(`head shard returned no \`${name}\``);
    return Float32Array.from(t.data as Float32Array);
  };
  switch (manifest.task) {
    case "token_classification":
    case "question_answering":
      return { tokenLogits: take("token_logits"), layers };
    case "feature_extraction":
      return sessions.head.outputNames.includes("pooled") ? { mean: take("mean"), pooled: take("pooled"), layers } : { mean: take("mean"), layers };
    default:
      return { logits: take("logits"), pooled: take("pooled"), layers };
  }
}
