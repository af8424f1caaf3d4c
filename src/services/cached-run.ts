/**
 * @module services/cached-run
 * The result cache in front of any model-backed task: one cache entry per input, the model loaded
 * only when some input misses (a fully cached request never touches the model), fresh results
 * written back through `defer` (`ctx.waitUntil`). Classification, moderation, webhooks, the
 * sentiment middleware, entities, QA and embeddings all run through it.
 *
 * Work budget: a request's inputs may come to at most `maxTokens` tokens after truncation (a cached
 * result counts its stored `tokens`, so the answer does not depend on what is cached). Workers
 * cannot preempt CPU work and their clock stands still during it, so the budget is checked before
 * any inference: the missing inputs are prepared (tokenized) first, their cost summed, and past
 * the budget the request is refused with 413 `too_much_work`; otherwise those same prepared inputs
 * run (nothing is tokenized twice).
 */
import { cacheKey } from "../cache/key.ts";
import type { CachePolicy, CacheSource, ResultCache } from "../cache/result-cache.ts";
import { ApiError } from "../errors.ts";
import type { Manifest } from "../model/manifest.ts";
import type { LoadedModel, StageTimings } from "../model/model.ts";
import type { ModelRegistry } from "../worker/model-registry.ts";

export interface RunDeps {
  registry: ModelRegistry;
  cache: ResultCache<unknown>;
  /** Runs a task after the response (`ctx.waitUntil`); also keeps shared model loads alive. */
  defer: (task: Promise<unknown>) => void;
  /** Work budget (`MAX_REQUEST_TOKENS`): most tokens after truncation over all inputs; none when absent. */
  maxTokens?: number;
  /** `EARLY_EXIT=off`: classifiers run every layer even when their model could exit early. */
  fullDepth?: boolean;
}

/** What one task tells the runner: how to key, check, prepare, count and compute its results. */
export interface CachedTask<I, R, P> {
  /** Cache-key task name ("classify", "entities", …). */
  name: string;
  /** The canonical text of an input for its cache key. */
  keyText(input: I): string;
  /** Key inputs exactly (no whitespace collapse): for answers with character offsets into them. */
  exact?: boolean;
  /** Options that change the answer (part of every key). */
  options?: Record<string, string | number | boolean>;
  /** Per-input options that change the answer, added to that input's key (e.g. a sentence pair). */
  inputOptions?(input: I): Record<string, string | number | boolean> | undefined;
  /** Accepts a cached value only when it is a whole result of this task for this model. */
  accept(value: unknown, manifest: Manifest): value is R;
  /** Tokens a result stands for (after truncation), for the budget and usage. */
  tokensOf(result: R): number;
  /** The first stage for one missing input (tokenize, cut windows) with the loaded model. */
  prepare(model: LoadedModel, input: I): P;
  /** Tokens a prepared input will cost (after truncation), counted before any inference. */
  cost(prepared: P): number;
  /** Computes fresh results for the prepared missing inputs (one per input, in order). */
  compute(model: LoadedModel, prepared: P[]): Promise<{ results: R[]; timings: StageTimings }>;
}

export interface CachedItem<R> {
  result: R;
  cache: CacheSource;
}

export interface CachedOutcome<R> {
  manifest: Manifest;
  items: CachedItem<R>[];
  /** Tokens of all inputs (cached ones included), for usage. */
  tokens: number;
  timings: { loadMs: number; tokenizeMs: number; modelMs: number };
}

export async function runCached<I, R, P>(deps: RunDeps, id: string, inputs: readonly I[], policy: CachePolicy, task: CachedTask<I, R, P>, manifest?: Manifest): Promise<CachedOutcome<R>> {
  const m = manifest ?? (await deps.registry.manifest(id, deps.defer));
  const keys = await Promise.all(
    inputs.map((input) => {
      const options = { ...task.options, ...task.inputOptions?.(input) };
      return cacheKey({ model: m.id, version: m.version, task: task.name, input: task.keyText(input), exact: task.exact === true, ...(Object.keys(options).length === 0 ? {} : { options }) });
    }),
  );
  const found: { value: R | undefined; source: CacheSource }[] = policy.read
    ? await (deps.cache as ResultCache<R>).getMany(keys, (value): value is R => task.accept(value, m))
    : keys.map(() => ({ value: undefined, source: "miss" as const }));

  const timings = { loadMs: 0, tokenizeMs: 0, modelMs: 0 };
  const missing = found.flatMap((entry, index) => (entry.value === undefined ? [index] : []));
  const fresh = new Map<number, R>();
  const cachedTokens = found.reduce((sum, entry) => sum + (entry.value === undefined ? 0 : task.tokensOf(entry.value)), 0);
  if (missing.length === 0) checkBudget(cachedTokens, deps.maxTokens);
  else {
    const loadStarted = performance.now();
    const model = await deps.registry.model(id, deps.defer);
    timings.loadMs = performance.now() - loadStarted;
    const prepared = missing.map((index) => task.prepare(model, inputs[index]!));
    checkBudget(cachedTokens + prepared.reduce((sum, p) => sum + task.cost(p), 0), deps.maxTokens);
    const output = await task.compute(model, prepared);
    timings.tokenizeMs = output.timings.tokenizeMs;
    timings.modelMs = output.timings.modelMs;
    output.results.forEach((result, i) => fresh.set(missing[i]!, result));
    if (policy.write) {
      deps.cache.putMany(
        [...fresh].map(([index, value]) => ({ key: keys[index]!, value })),
        deps.defer,
      );
    }
  }

  const items = found.map((entry, index) => ({ result: entry.value ?? fresh.get(index)!, cache: entry.source }));
  return { manifest: m, items, tokens: items.reduce((sum, item) => sum + task.tokensOf(item.result), 0), timings };
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

/** A refusal for a model of the wrong kind for a route. */
export function wrongModel(manifest: Manifest, wanted: string): ApiError {
  return new ApiError(400, "unsupported_model", `model ${manifest.id} is a ${manifest.task} model; ${wanted}`, {}, "model");
}

export function isProbability(value: unknown): boolean {
  return typeof value === "number" && value >= 0 && value <= 1;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
