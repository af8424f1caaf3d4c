/**
 * @module services/classify
 * Classification through the result cache (services/cached-run): shared by the classify,
 * moderation and webhook routes and the sentiment middleware.
 */
import type { CachePolicy, CacheSource } from "../cache/result-cache.ts";
import type { ClassifyInput } from "../model/index.ts";
import type { Manifest } from "../model/manifest.ts";
import { isObject, isProbability, runCached, type RunDeps } from "./cached-run.ts";

/** A classification result as the API returns it. */
export interface TextResult {
  label: string;
  score: number;
  scores: Record<string, number>;
  tokens: number;
  truncated: boolean;
  /** Layers (block passes) that ran: fewer than the model's depth when it exited early. */
  layers: number;
}

/** A cached value is only used when it is a whole result for this model's labels. */
export function isTextResult(value: unknown, labels: readonly string[]): value is TextResult {
  if (!isObject(value)) return false;
  const { label, score, scores, tokens, truncated, layers } = value;
  if (typeof label !== "string" || !labels.includes(label) || !isProbability(score)) return false;
  if (!Number.isInteger(tokens) || (tokens as number) < 2 || typeof truncated !== "boolean") return false;
  if (!Number.isInteger(layers) || (layers as number) < 1) return false;
  if (!isObject(scores)) return false;
  const entries = Object.entries(scores);
  return entries.length === labels.length && entries.every(([name, p]) => labels.includes(name) && isProbability(p));
}

export interface ClassifyItem {
  result: TextResult;
  cache: CacheSource;
}

export interface ClassifyOutcome {
  model: string;
  version: string;
  task: string;
  labels: readonly string[];
  items: ClassifyItem[];
  /** Tokens of all inputs (cached ones included), for usage. */
  tokens: number;
  timings: { loadMs: number; tokenizeMs: number; modelMs: number };
}

export interface ClassifyOptions {
  /** Run every layer even when the model may exit early (its answers are cached apart). */
  fullDepth?: boolean;
}

export async function classifyTexts(
  deps: RunDeps,
  id: string,
  inputs: readonly ClassifyInput[],
  policy: CachePolicy,
  options: ClassifyOptions = {},
): Promise<ClassifyOutcome> {
  const manifest: Manifest = await deps.registry.manifest(id, deps.defer);
  // Only a model with early exit answers differently at full depth.
  const fullDepth = (options.fullDepth === true || deps.fullDepth === true) && manifest.early_exit !== undefined;
  const outcome = await runCached(
    deps,
    id,
    inputs,
    policy,
    {
      name: "classify",
      keyText: (input) => (typeof input === "string" ? input : JSON.stringify([input.text, input.text_pair])),
      inputOptions: (input) => (typeof input === "string" ? undefined : { pair: true }),
      ...(fullDepth ? { options: { full_depth: true } } : {}),
      accept: (value, m): value is TextResult => isTextResult(value, m.labels),
      tokensOf: (result) => result.tokens,
      prepare: (model, input) => model.prepare(input),
      cost: (prepared) => prepared.encoding.ids.length,
      async compute(model, prepared) {
        const output = await model.classifyPrepared(prepared, { fullDepth });
        return { results: output.results.map(({ label, score, scores, tokens, truncated, layers }) => ({ label, score, scores, tokens, truncated, layers })), timings: output.timings };
      },
    },
    manifest,
  );
  return { model: manifest.id, version: manifest.version, task: manifest.task, labels: manifest.labels, items: outcome.items, tokens: outcome.tokens, timings: outcome.timings };
}
