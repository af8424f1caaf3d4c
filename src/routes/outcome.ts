/**
 * @module routes/outcome
 * What every model-backed route does around `classifyTexts`: hand it the registry, cache and
 * `waitUntil`, then report `x-model`, `x-cache` and `server-timing`.
 */
import type { Context } from "hono";
import { setMetric } from "hono/timing";
import { overallSource } from "../cache/result-cache.ts";
import type { AppEnv } from "../env.ts";
import type { ClassifyDeps, ClassifyOutcome } from "../services/classify.ts";

export function classifyDeps(c: Context<AppEnv>): ClassifyDeps {
  return { registry: c.var.registry, cache: c.var.cache, defer: deferrer(c) };
}

/** `ctx.waitUntil` when the runtime gives one (always in workerd), else run in the background. */
export function deferrer(c: Context): (task: Promise<unknown>) => void {
  return (task) => {
    try {
      c.executionCtx.waitUntil(task);
    } catch {
      void task;
    }
  };
}

export function reportOutcome(c: Context<AppEnv>, outcome: ClassifyOutcome): void {
  setMetric(c, "load", outcome.timings.loadMs, "model load (0 when warm or cached)");
  setMetric(c, "tokenize", outcome.timings.tokenizeMs);
  setMetric(c, "model", outcome.timings.modelMs);
  c.header("x-model", `${outcome.model}@${outcome.version}`);
  c.header("x-cache", overallSource(outcome.items.map((item) => item.cache)));
}
