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

interface State {
  assets: Fetcher;
  kv: KVNamespace | undefined;
  key: string;
  registry: ModelRegistry;
  cache: ResultCache<unknown>;
}

export function service(): MiddlewareHandler<AppEnv> {
  let state: State | undefined;
  return async (c, next) => {
    let config: ServiceConfig;
    try {
      config = readConfig(c.env);
    } catch (error) {
      throw new ApiError(500, "config_error", error instanceof Error ? error.message : String(error));
    }
    const key = JSON.stringify([config.models, config.defaultModel, config.cache]);
    if (state === undefined || state.assets !== c.env.ASSETS || state.kv !== c.env.CACHE || state.key !== key) {
      state = {
        assets: c.env.ASSETS,
        kv: c.env.CACHE,
        key,
        registry:
          state?.assets === c.env.ASSETS && state.key === key
            ? state.registry
            : new ModelRegistry(c.env.ASSETS, config.models, config.defaultModel),
        cache: new ResultCache(c.env.CACHE, config.cache),
      };
    }
    c.set("config", config);
    c.set("registry", state.registry);
    c.set("cache", state.cache);
    await next();
  };
}
