/**
 * @module routes/outcome
 * What every model-backed route does around its service: hand it the registry, cache
 * and `waitUntil`, then report `x-model`, `x-cache` and `server-timing`, and record the usage.
 */
import type { Context } from "hono";
import { setMetric } from "hono/timing";
import { overallSource, type CacheSource } from "../cache/result-cache.ts";
import type { AppEnv } from "../env.ts";
import { recordUsage } from "../middleware/usage.ts";
import type { CachedOutcome, RunDeps } from "../services/cached-run.ts";

export function classifyDeps(c: Context<AppEnv>): RunDeps {
  return { registry: c.var.registry, cache: c.var.cache, defer: deferrer(c), maxTokens: c.var.config.maxRequestTokens, fullDepth: !c.var.config.earlyExit };
}

/** `ctx.waitUntil` when the runtime gives one (always in workerd), else let the task run on. */
export function deferrer(c: Context): (task: Promise<unknown>) => void {
  return (task) => {
    try {
      c.executionCtx.waitUntil(task);
    } catch {
      void task;
    }
  };
}

interface Reported {
  model: string;
  version: string;
  caches: readonly CacheSource[];
  tokens: number;
  timings: { loadMs: number; tokenizeMs: number; modelMs: number };
}

export function reportTimings(c: Context<AppEnv>, outcome: Reported): void {
  setMetric(c, "load", outcome.timings.loadMs, "model load (0 when warm or cached)");
  setMetric(c, "tokenize", outcome.timings.tokenizeMs);
  setMetric(c, "model", outcome.timings.modelMs);
  c.header("x-model", `${outcome.model}@${outcome.version}`);
  c.header("x-cache", overallSource(outcome.caches));
  recordUsage(c, { model: `${outcome.model}@${outcome.version}`, inputs: outcome.caches.length, tokens: outcome.tokens, cache: overallSource(outcome.caches) });
}

/** `reportTimings` for a task run through the result cache (services/cached-run). */
export function reportCached(c: Context<AppEnv>, outcome: CachedOutcome<unknown>): void {
  const { manifest, items, tokens, timings } = outcome;
  reportTimings(c, { model: manifest.id, version: manifest.version, caches: items.map((item) => item.cache), tokens, timings });
}
