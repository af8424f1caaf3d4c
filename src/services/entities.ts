/**
 * @module services/entities
 * Named entities through the result cache (keyed on the exact text: answers carry offsets into it,
 * and on the aggregation strategy and decoding). Only token-classification models; others get 400
 * `unsupported_model`.
 */
import type { CachePolicy } from "../cache/result-cache.ts";
import type { Entity } from "../heads/index.ts";
import { entitiesOfPrepared, entitySettings, prepareEntities } from "../model/entities.ts";
import { isObject, isProbability, runCached, wrongModel, type CachedOutcome, type RunDeps } from "./cached-run.ts";

export interface EntitiesItem {
  entities: Entity[];
  tokens: number;
  truncated: boolean;
}

function isEntity(value: unknown): value is Entity {
  if (!isObject(value)) return false;
  const { label, score, start, end, text } = value;
  return typeof label === "string" && isProbability(score) && Number.isInteger(start) && Number.isInteger(end) && typeof text === "string";
}

function isEntitiesItem(value: unknown): value is EntitiesItem {
  if (!isObject(value)) return false;
  const { entities, tokens, truncated } = value;
  return Array.isArray(entities) && entities.every(isEntity) && Number.isInteger(tokens) && typeof truncated === "boolean";
}

/** `requested`: what the request names; the rest is the model's own default (`entitySettings`). */
export async function findEntities(deps: RunDeps, id: string, inputs: readonly string[], requested: Parameters<typeof entitySettings>[1], policy: CachePolicy): Promise<CachedOutcome<EntitiesItem>> {
  const manifest = await deps.registry.manifest(id, deps.defer);
  if (manifest.task !== "token_classification") throw wrongModel(manifest, "entities need a token_classification model (an AlbertForTokenClassification checkpoint, converted)");
  const { aggregation, decoding } = entitySettings(manifest, requested);
  return runCached(
    deps,
    id,
    inputs,
    policy,
    {
      name: "entities",
      exact: true,
      options: { aggregation, decoding },
      keyText: (input) => input,
      accept: (value): value is EntitiesItem => isEntitiesItem(value),
      tokensOf: (result) => result.tokens,
      prepare: (model, input) => prepareEntities(model, input),
      cost: (prepared) => prepared.encoding.ids.length,
      async compute(model, prepared) {
        const output = await entitiesOfPrepared(model, prepared, aggregation, decoding);
        return { results: output.results.map(({ entities, tokens, truncated }) => ({ entities, tokens, truncated })), timings: output.timings };
      },
    },
    manifest,
  );
}
