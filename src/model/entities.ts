/**
 * @module model/entities
 * Named entities with a token-classification model: tokenize (with character offsets), one engine
 * run for all texts, softmax per token, then Hugging Face's aggregation (heads/entities). Shared by
 * the `/v1/entities` route and `albert-edge classify` on such models.
 */
import { aggregateEntities, entityTokens, type Entity, type EntityStrategy } from "../heads/index.ts";
import type { AlbertModel, Results, StageTimings } from "./model.ts";
import { withTotals } from "./model.ts";

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

export async function recognizeEntities(model: AlbertModel, texts: readonly string[], strategy: EntityStrategy): Promise<Results<EntitiesResult>> {
  const { manifest } = model;
  if (manifest.task !== "token_classification") {
    throw new TypeError(`model ${manifest.id} is a ${manifest.task} model; entities need a token_classification model`);
  }
  const labels = manifest.labels;
  const encoded = texts.map((text) => {
    const start = performance.now();
    const encoding = model.tokenizer.encode(text, { maxLength: model.maxLength, offsets: "eager" });
    return { text, encoding, tokenizeMs: performance.now() - start };
  });
  const outputs = await model.run(encoded.map((e) => ({ ids: e.encoding.ids })));
  const tokens = encoded.reduce((n, e) => n + e.encoding.ids.length, 0);
  return withTotals(
    encoded.map(({ text, encoding, tokenizeMs }, i): EntitiesResult => {
      const logits = outputs[i]!.tokenLogits!;
      const rows: number[][] = [];
      for (let p = 0; p < encoding.ids.length; p++) rows.push(Array.from(logits.subarray(p * labels.length, (p + 1) * labels.length)));
      return {
        ids: encoding.ids,
        offsets: encoding.offsets.map((o) => (o === null ? null : [o[0], o[1]])),
        tokenLogits: rows,
        entities: aggregateEntities(text, entityTokens(encoding, logits, labels.length), labels, strategy),
        tokens: encoding.ids.length,
        truncated: encoding.truncated,
        timings: { tokenizeMs, modelMs: (outputs.timings.modelMs * encoding.ids.length) / tokens },
      };
    }),
  );
}
