/**
 * @module services/embed
 * Sentence embeddings through the result cache: a feature_extraction model's vector (mean of the
 * last hidden states or the pooled [CLS], as its manifest says), or a sequence classifier's pooled
 * [CLS] vector. Token-classification and QA models are refused with 400 `unsupported_model`.
 */
import type { CachePolicy } from "../cache/result-cache.ts";
import type { Manifest } from "../model/manifest.ts";
import { isObject, runCached, wrongModel, type CachedOutcome, type RunDeps } from "./cached-run.ts";

export interface EmbeddingResult {
  embedding: number[];
  tokens: number;
  truncated: boolean;
}

/** Tasks whose models give a sentence vector. */
export function canEmbed(manifest: Manifest): boolean {
  return manifest.task === "feature_extraction" || manifest.task === "single_label_classification" || manifest.task === "multi_label_classification";
}

function isEmbedding(value: unknown, size: number): value is EmbeddingResult {
  if (!isObject(value)) return false;
  const { embedding, tokens, truncated } = value;
  return Array.isArray(embedding) && embedding.length === size && embedding.every((x) => typeof x === "number" && Number.isFinite(x)) && Number.isInteger(tokens) && typeof truncated === "boolean";
}

export async function embedTexts(deps: RunDeps, id: string, inputs: readonly string[], policy: CachePolicy): Promise<CachedOutcome<EmbeddingResult>> {
  const manifest = await deps.registry.manifest(id, deps.defer);
  if (!canEmbed(manifest)) throw wrongModel(manifest, "embeddings need a feature_extraction model (AlbertModel) or a sequence classifier");
  return runCached(
    deps,
    id,
    inputs,
    policy,
    {
      name: "embed",
      keyText: (input) => input,
      accept: (value, m): value is EmbeddingResult => isEmbedding(value, m.config.hidden_size),
      tokensOf: (result) => result.tokens,
      prepare: (model, input) => model.prepare(input),
      cost: (prepared) => prepared.encoding.ids.length,
      async compute(model, prepared) {
        const output = await model.embedPrepared(prepared);
        return { results: output.results.map(({ embedding, tokens, truncated }) => ({ embedding, tokens, truncated })), timings: output.timings };
      },
    },
    manifest,
  );
}
