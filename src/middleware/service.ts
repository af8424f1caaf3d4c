/**
 * @module middleware/service
 * Puts the service configuration and this isolate's model registry on the context
 * (`c.var.config`, `c.var.registry`). The registry lives as long as the isolate, so models loaded
 * by one request serve the next; it is rebuilt only if the configuration changes.
 */
import type { MiddlewareHandler } from "hono";
import { readConfig } from "../config.ts";
import type { AppEnv } from "../env.ts";
import { ModelRegistry } from "../worker/model-registry.ts";

let current: { assets: Fetcher; key: string; registry: ModelRegistry } | undefined;

export function service(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const config = readConfig(c.env);
    const key = `${config.models.join(",")}|${config.defaultModel}`;
    if (current === undefined || current.assets !== c.env.ASSETS || current.key !== key) {
      current = { assets: c.env.ASSETS, key, registry: new ModelRegistry(c.env.ASSETS, config.models, config.defaultModel) };
    }
    c.set("config", config);
    c.set("registry", current.registry);
    await next();
  };
}
