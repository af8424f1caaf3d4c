/**
 * @module services/openai-categories
 * OpenAI's moderation categories on top of ours. `MODERATION_CATEGORIES` maps the moderation
 * model's labels to OpenAI's category names (`offensive=harassment,hate=hate`); each answer keeps
 * the model's own categories and adds the mapped OpenAI ones, so the OpenAI SDK's typed fields
 * (`categories.harassment`) are filled. Several labels mapped to one name: the highest score, and
 * flagged when any of them is. OpenAI categories no label maps to are left out (never a made-up
 * `false`). Also `category_applied_input_types`: `["text"]` for every category (text only).
 */
import { ApiError } from "../errors.ts";
import type { ModerationResult } from "./moderate.ts";

/** OpenAI's moderation categories (omni-moderation), the names a label may map to. */
export const OPENAI_CATEGORIES = [
  "harassment",
  "harassment/threatening",
  "hate",
  "hate/threatening",
  "illicit",
  "illicit/violent",
  "self-harm",
  "self-harm/instructions",
  "self-harm/intent",
  "sexual",
  "sexual/minors",
  "violence",
  "violence/graphic",
] as const;

/** Our label → OpenAI category name. */
export type CategoryMap = Record<string, string>;

export interface OpenAIModerationResult extends ModerationResult {
  category_applied_input_types: Record<string, ["text"]>;
}

/**
 * `MODERATION_CATEGORIES`: `"label=openai-name,…"`; each name must be one of OpenAI's categories.
 * Unset: `fallback`; empty: no mapping. Invalid entries throw (a configuration error).
 */
export function parseCategoryMap(value: string | undefined, fallback: string): CategoryMap {
  const map: CategoryMap = {};
  for (const entry of (value ?? fallback).split(",").map((item) => item.trim()).filter((item) => item !== "")) {
    const [label, name] = entry.split("=", 2).map((part) => part.trim());
    if (label === undefined || label === "" || name === undefined || !(OPENAI_CATEGORIES as readonly string[]).includes(name)) {
      throw new RangeError(`MODERATION_CATEGORIES: ${JSON.stringify(entry)} is not label=category with category one of OpenAI's: ${OPENAI_CATEGORIES.join(", ")}`);
    }
    map[label] = name;
  }
  return map;
}

/**
 * The result with the mapped OpenAI categories added and `category_applied_input_types`. A map
 * entry for a label the model lacks is ignored; one whose OpenAI name is another of the model's
 * own labels is refused (500 `config_error`): it would overwrite that label's answer.
 */
export function withOpenAICategories(result: ModerationResult, map: CategoryMap): OpenAIModerationResult {
  const labels = Object.keys(result.category_scores);
  const categories = { ...result.categories };
  const category_scores = { ...result.category_scores };
  const mapped = new Set<string>();
  for (const label of labels) {
    const name = map[label];
    if (name === undefined || name === label) continue;
    if (labels.includes(name)) {
      throw new ApiError(500, "config_error", `MODERATION_CATEGORIES maps ${label} to ${name}, which is also a label of the moderation model`);
    }
    const first = !mapped.has(name);
    mapped.add(name);
    category_scores[name] = first ? result.category_scores[label]! : Math.max(category_scores[name]!, result.category_scores[label]!);
    categories[name] = (first ? false : categories[name]!) || result.categories[label]!;
  }
  const category_applied_input_types: Record<string, ["text"]> = {};
  for (const name of Object.keys(categories)) category_applied_input_types[name] = ["text"];
  return { flagged: result.flagged, categories, category_scores, category_applied_input_types };
}
