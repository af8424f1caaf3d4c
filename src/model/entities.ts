/**
 * @module model/entities
 * Named entities with a token-classification model: tokenize (with character offsets:
 * `prepareEntities`), one engine run for all texts, softmax per token, then Hugging Face's
 * aggregation with argmax or BIO-constrained decoding (heads/entities). Shared by the `/v1/entities` route and `albert-edge classify` on
 * such models.
 */
import { aggregateEntities, entityTokens, type Entity, type EntityDecoding, type EntityStrategy } from "../heads/index.ts";
import type { Manifest } from "./manifest.ts";
import type { AlbertModel, PreparedInput, Results, StageTimings } from "./model.ts";
import { withTotals } from "./model.ts";

/** How token labels become entities: Hugging Face's aggregation strategy and the label decoding. */
export interface EntitySettings {
  aggregation: EntityStrategy;
  decoding: EntityDecoding;
}

/** A request's settings, each one it leaves out taken from the model (manifest `aggregation`, else `simple`; manifest `decoding`, else `argmax`). */
export function entitySettings(manifest: Pick<Manifest, "aggregation" | "decoding">, requested: { aggregation?: EntityStrategy | undefined; decoding?: EntityDecoding | undefined }): EntitySettings {
  return { aggregation: requested.aggregation ?? manifest.aggregation ?? "simple", decoding: requested.decoding ?? manifest.decoding ?? "argmax" };
}

export interface EntitiesResult {
  ids: number[];
  /** `[start, end)` of each position in the text (UTF-16 code units); null for [CLS]/[SEP]. */
  offsets: ([number, number] | null)[];
  /** One row of label logits per position. */
  tokenLogits: number[][];
  entities: Entity[];
  /** Token count after truncation, including [CLS] and [SEP]. */
  tokens: number;
  truncated: boolean;
  timings: StageTimings;
}

/** The first stage: one text tokenized with its offsets (what the aggregation reads). */
export function prepareEntities(model: AlbertModel, text: string): PreparedInput {
  return model.prepare(text, { offsets: "eager" });
}

export function recognizeEntities(model: AlbertModel, texts: readonly string[], strategy: EntityStrategy, decoding: EntityDecoding = "argmax"): Promise<Results<EntitiesResult>> {
  return entitiesOfPrepared(model, texts.map((text) => prepareEntities(model, text)), strategy, decoding);
}

/** Entities of texts already prepared (`prepareEntities`). */
export async function entitiesOfPrepared(
  model: AlbertModel,
  prepared: readonly PreparedInput[],
  strategy: EntityStrategy,
  decoding: EntityDecoding = "argmax",
): Promise<Results<EntitiesResult>> {
  const { manifest } = model;
  if (manifest.task !== "token_classification") {
    throw new TypeError(`model ${manifest.id} is a ${manifest.task} model; entities need a token_classification model`);
  }
  const labels = manifest.labels;
  const outputs = await model.run(prepared.map((p) => ({ ids: p.encoding.ids, typeIds: p.encoding.typeIds })));
  const tokens = prepared.reduce((n, p) => n + p.encoding.ids.length, 0);
  return withTotals(
    prepared.map(({ input, encoding, tokenizeMs }, i): EntitiesResult => {
      if (typeof input !== "string") throw new TypeError("entities take single texts, not pairs");
      const text = input;
      const logits = outputs[i]!.tokenLogits!;
      const rows: number[][] = [];
      for (let p = 0; p < encoding.ids.length; p++) rows.push(Array.from(logits.subarray(p * labels.length, (p + 1) * labels.length)));
      return {
        ids: encoding.ids,
        offsets: encoding.offsets.map((o) => (o === null ? null : [o[0], o[1]])),
        tokenLogits: rows,
        entities: aggregateEntities(text, entityTokens(encoding, logits, labels.length), labels, strategy, { decoding }),
        tokens: encoding.ids.length,
        truncated: encoding.truncated,
        timings: { tokenizeMs, modelMs: (outputs.timings.modelMs * encoding.ids.length) / tokens },
      };
    }),
  );
}
