/**
 * @module services/classify
 * Classification with the result cache in front: one cache entry per input, the model loaded
 * only when some input misses (a fully cached request never touches the model), fresh results
 * written back through `defer` (`ctx.waitUntil`). Shared by the classify, moderation and webhook
 * routes and the sentiment middleware.
 *
 * Work budget: a request's inputs may come to at most `maxTokens` tokens after truncation (a cached
 * result counts its stored `tokens`, so the answer does not depend on what is cached). Workers
 * cannot preempt CPU work and their clock stands still during it, so the budget is checked before
 * any inference: past it the request is refused with 413 `too_much_work`.
 */
import { cacheKey } from "../cache/key.ts";
import type { CachePolicy, CacheSource, ResultCache } from "../cache/result-cache.ts";
import { ApiError } from "../errors.ts";
import type { ModelRegistry } from "../worker/model-registry.ts";

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
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { label, score, scores, tokens, truncated, layers } = value as Record<string, unknown>;
  if (typeof label !== "string" || !labels.includes(label) || !isProbability(score)) return false;
  if (!Number.isInteger(tokens) || (tokens as number) < 2 || typeof truncated !== "boolean") return false;
  if (!Number.isInteger(layers) || (layers as number) < 1) return false;
  if (typeof scores !== "object" || scores === null || Array.isArray(scores)) return false;
  const entries = Object.entries(scores);
  return entries.length === labels.length && entries.every(([name, p]) => labels.includes(name) && isProbability(p));
}

function isProbability(value: unknown): boolean {
  return typeof value === "number" && value >= 0 && value <= 1;
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

export interface ClassifyDeps {
  registry: ModelRegistry;
  cache: ResultCache<unknown>;
  /** Runs a task after the response (`ctx.waitUntil`); also keeps shared model loads alive. */
  defer: (task: Promise<unknown>) => void;
  /** Work budget (`MAX_REQUEST_TOKENS`): most tokens after truncation over all inputs; none when absent. */
  maxTokens?: number;
}

export interface ClassifyOptions {
  /** Run every layer even when the model may exit early (its answers are cached apart). */
  fullDepth?: boolean;
}

export async function classifyTexts(
  deps: ClassifyDeps,
  id: string,
  inputs: readonly string[],
  policy: CachePolicy,
  options: ClassifyOptions = {},
): Promise<ClassifyOutcome> {
  const manifest = await deps.registry.manifest(id, deps.defer);
  // Only a model with early exit answers differently at full depth.
  const fullDepth = options.fullDepth === true && manifest.early_exit !== undefined;
  const keyOptions = fullDepth ? { full_depth: true } : undefined;
  const keys = await Promise.all(
    inputs.map((input) => cacheKey({ model: manifest.id, version: manifest.version, task: "classify", input, ...(keyOptions === undefined ? {} : { options: keyOptions }) })),
  );
  const found: { value: TextResult | undefined; source: CacheSource }[] = policy.read
    ? await (deps.cache as ResultCache<TextResult>).getMany(keys, (value) => isTextResult(value, manifest.labels))
    : keys.map(() => ({ value: undefined, source: "miss" as const }));

  const timings = { loadMs: 0, tokenizeMs: 0, modelMs: 0 };
  const missing = found.flatMap((entry, index) => (entry.value === undefined ? [index] : []));
  const fresh = new Map<number, TextResult>();
  const cachedTokens = found.reduce((sum, entry) => sum + (entry.value?.tokens ?? 0), 0);
  if (missing.length === 0) checkBudget(cachedTokens, deps.maxTokens);
  else {
    const loadStarted = performance.now();
    const model = await deps.registry.model(id, deps.defer);
    timings.loadMs = performance.now() - loadStarted;
    checkBudget(cachedTokens + missing.reduce((sum, index) => sum + model.tokenize(inputs[index]!).ids.length, 0), deps.maxTokens);
    const output = await model.classify(
      missing.map((index) => inputs[index]!),
      { fullDepth },
    );
    timings.tokenizeMs = output.timings.tokenizeMs;
    timings.modelMs = output.timings.modelMs;
    output.results.forEach(({ label, score, scores, tokens, truncated, layers }, i) => {
      fresh.set(missing[i]!, { label, score, scores, tokens, truncated, layers });
    });
    if (policy.write) {
      deps.cache.putMany(
        [...fresh].map(([index, value]) => ({ key: keys[index]!, value })),
        deps.defer,
      );
    }
  }

  const items = found.map((entry, index) => ({ result: entry.value ?? fresh.get(index)!, cache: entry.source }));
  return {
    model: manifest.id,
    version: manifest.version,
    task: manifest.task,
    labels: manifest.labels,
    items,
    tokens: items.reduce((sum, item) => sum + item.result.tokens, 0),
    timings,
  };
}

/** Refuses a request whose inputs come to more tokens (after truncation) than the budget. */
function checkBudget(tokens: number, maxTokens: number | undefined): void {
  if (maxTokens === undefined || tokens <= maxTokens) return;
  throw new ApiError(
    413,
    "too_much_work",
    `the inputs come to ${tokens} tokens after truncation; the limit (MAX_REQUEST_TOKENS) is ${maxTokens} per request: send fewer or shorter inputs`,
  );
}
