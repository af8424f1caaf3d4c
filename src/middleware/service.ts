/**
 * @module middleware/service
 * Puts the service configuration, the model registry and the result cache on the context
 * (`c.var.config`, `c.var.registry`, `c.var.cache`). They belong to the app instance, which lives
 * as long as the isolate, so models loaded and results cached by one request serve the next;
 * they are rebuilt only when the bindings or configuration change.
 */
import type { MiddlewareHandler } from "hono";
import { ResultCache } from "../cache/result-cache.ts";
import { readConfig, type ServiceConfig } from "../config.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { ModelRegistry } from "../worker/model-registry.ts";

/** Keeps the last value built from `deps`; rebuilds when any of them changes (by identity). */
function memo<T>(build: () => T, deps: readonly unknown[], last: { deps: readonly unknown[]; value: T } | undefined) {
  return last !== undefined && last.deps.length === deps.length && last.deps.every((d, i) => d === deps[i]) ? last : { deps, value: build() };
}

export function service(): MiddlewareHandler<AppEnv> {
  let registry: { deps: readonly unknown[]; value: ModelRegistry } | undefined;
  let cache: { deps: readonly unknown[]; value: ResultCache<unknown> } | undefined;
  return async (c, next) => {
    let config: ServiceConfig;
    try {
      config = readConfig(c.env);
    } catch (error) {
      throw new ApiError(500, "config_error", error instanceof Error ? error.message : String(error));
    }
    const models = config.models.join(",");
    registry = memo(() => new ModelRegistry(c.env.ASSETS, config.models, config.defaultModel), [c.env.ASSETS, models, config.defaultModel], registry);
    const { ttlSeconds, maxEntries, maxBytes } = config.cache;
    cache = memo(() => new ResultCache(c.env.CACHE, config.cache), [c.env.CACHE, ttlSeconds, maxEntries, maxBytes], cache);
    c.set("config", config);
    c.set("registry", registry.value);
    c.set("cache", cache.value);
    await next();
  };
}
