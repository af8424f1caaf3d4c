/**
 * @module services/moderate
 * Moderation verdicts on top of cached classification: per category a score (the moderation
 * model's label probabilities) and a flag (score ≥ that category's threshold); `flagged` when any
 * category is. A category's threshold is the one configuration names (`MODERATION_THRESHOLDS`:
 * the category, else its `default`), else the model's own (manifest `thresholds`, chosen with the
 * model), else 0.5. Only a multi-label
 * model (independent sigmoid per category) can moderate: any other is refused with 400
 * `unsupported_model` (a softmax over two classes would "flag" one of them for every text).
 */
import { ApiError } from "../errors.ts";
import type { RunDeps } from "./cached-run.ts";
import { classifyTexts } from "./classify.ts";
import type { CachePolicy, CacheSource } from "../cache/result-cache.ts";
import { labelThreshold, type Manifest } from "../model/manifest.ts";

/** The thresholds configuration sets; what it leaves open falls to the model's, then 0.5. */
export interface Thresholds {
  /** Threshold for categories not listed in `byCategory` (absent: the model's, then 0.5). */
  default?: number;
  byCategory: Record<string, number>;
}

export interface ModerationResult {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
}

export interface ModerationOutcome {
  model: string;
  version: string;
  results: ModerationResult[];
  caches: CacheSource[];
  /** Tokens of all inputs, for usage. */
  tokens: number;
  timings: { loadMs: number; tokenizeMs: number; modelMs: number };
}

/** Configuration's threshold for the category, else the model's own (manifest `thresholds`, else 0.5). */
export function thresholdFor(thresholds: Thresholds, category: string, model: Pick<Manifest, "thresholds">): number {
  return thresholds.byCategory[category] ?? thresholds.default ?? labelThreshold(model, category);
}

export async function moderateTexts(
  deps: RunDeps,
  id: string,
  inputs: readonly string[],
  thresholds: Thresholds,
  policy: CachePolicy,
): Promise<ModerationOutcome> {
  const manifest = await deps.registry.manifest(id, deps.defer);
  if (manifest.task !== "multi_label_classification") {
    throw new ApiError(
      400,
      "unsupported_model",
      `model ${id} is a ${manifest.task} model; moderation needs a multi-label model (task multi_label_classification), such as "moderation"`,
    );
  }
  const outcome = await classifyTexts(deps, id, inputs, policy);
  const results = outcome.items.map(({ result }): ModerationResult => {
    const categories: Record<string, boolean> = {};
    const category_scores: Record<string, number> = {};
    for (const label of outcome.labels) {
      const score = result.scores[label] ?? 0;
      category_scores[label] = score;
      categories[label] = score >= thresholdFor(thresholds, label, manifest);
    }
    return { flagged: Object.values(categories).some(Boolean), categories, category_scores };
  });
  return {
    model: outcome.model,
    version: outcome.version,
    results,
    caches: outcome.items.map((item) => item.cache),
    tokens: outcome.tokens,
    timings: outcome.timings,
  };
}
