/**
 * @module model/encoder
 * The ALBERT forward pass over ORT sessions: embeddings shard, then the loop we own — layer i
 * runs its group's block session (Hugging Face schedule), feeding each output back in — then
 * the head shard. Batches are right-padded with id 0 and masked additively (-10000, as HF).
 */
import { groupOfLayer, type Manifest } from "./manifest.ts";
import { float32Tensor, int64Tensor, type OrtTensor, type Session } from "./ort.ts";

export const MASK_VALUE = -10000;

export interface EncoderSessions {
  embeddings: Session;
  blocks: Session[];
  head: Session;
}

export interface ForwardOutput {
  /** [B][num_labels]; absent for feature_extraction models. */
  logits?: number[][];
  /** [B][H] pooled [CLS] vectors (tanh(dense)). */
  pooled: number[][];
}

function rows(data: Float32Array, count: number, width: number): number[][] {
  return Array.from({ length: count }, (_, b) => Array.from(data.subarray(b * width, (b + 1) * width)));
}

/** Runs token ids (each sequence already with [CLS]/[SEP]) through the model as one batch. */
export async function forward(manifest: Manifest, sessions: EncoderSessions, ids: readonly (readonly number[])[]): Promise<ForwardOutput> {
  const B = ids.length;
  if (B === 0) return manifest.task === "feature_extraction" ? { pooled: [] } : { logits: [], pooled: [] };
  const S = Math.max(...ids.map((s) => s.length));
  if (S === 0) throw new RangeError("forward: empty sequence");
  if (S > manifest.config.max_position_embeddings) throw new RangeError(`forward: sequence of ${S} tokens exceeds max_position_embeddings ${manifest.config.max_position_embeddings}`);
  const inputIds = new BigInt64Array(B * S);
  const mask = new Float32Array(B * S);
  ids.forEach((seq, b) => {
    for (let s = 0; s < S; s++) {
      if (s < seq.length) {
        const id = seq[s] as number;
        if (!Number.isInteger(id) || id < 0 || id >= manifest.config.vocab_size) throw new RangeError(`forward: token id ${id} outside [0, ${manifest.config.vocab_size})`);
        inputIds[b * S + s] = BigInt(id);
      } else mask[b * S + s] = MASK_VALUE;
    }
  });
  const emb = await sessions.embeddings.run({
    input_ids: int64Tensor(inputIds, [B, S]),
    token_type_ids: int64Tensor(new BigInt64Array(B * S), [B, S]),
  });
  const first: OrtTensor | undefined = emb.hidden;
  if (first === undefined) throw new Error("embeddings shard returned no `hidden`");
  let hidden: OrtTensor = first;
  const attentionMask = float32Tensor(mask, [B, 1, 1, S]);
  for (let i = 0; i < manifest.config.num_hidden_layers; i++) {
    const block = sessions.blocks[groupOfLayer(manifest.config, i)];
    if (block === undefined) throw new Error(`no block session for layer ${i}`);
    const out = await block.run({ hidden, attention_mask: attentionMask });
    const next: OrtTensor | undefined = out.hidden_out;
    if (next === undefined) throw new Error("block shard returned no `hidden_out`");
    if (hidden !== first) hidden.dispose();
    hidden = next;
  }
  const head = await sessions.head.run({ hidden });
  const H = manifest.config.hidden_size;
  const pooledT = head.pooled;
  if (pooledT === undefined) throw new Error("head shard returned no `pooled`");
  const pooled = rows(pooledT.data as Float32Array, B, H);
  if (manifest.task === "feature_extraction") return { pooled };
  const logitsT = head.logits;
  if (logitsT === undefined) throw new Error("head shard returned no `logits`");
  return { logits: rows(logitsT.data as Float32Array, B, manifest.labels.length), pooled };
}
