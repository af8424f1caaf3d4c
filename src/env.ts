/**
 * @module env
 * The Worker's bindings and the Hono environment type shared by the app, routes and middleware.
 */
import type { TimingVariables } from "hono/timing";
import type { ResultCache } from "./cache/result-cache.ts";
import type { ServiceConfig } from "./config.ts";
import type { ModelRegistry } from "./worker/model-registry.ts";

/** Bindings from wrangler.toml (`[vars]`, `[assets]`) and Worker secrets. */
export interface Bindings {
  /** Static assets holding `model-shards/` (see wrangler.toml `[assets]`). */
  ASSETS: Fetcher;
  /** Optional API key (a Worker secret). When set, `/v1/*` requires `Authorization: Bearer <key>`. */
  API_KEY?: string;
  /** Comma-separated model ids served by this Worker (directories under model-shards/). */
  MODELS?: string;
  /** Model used when a request names none. Defaults to the first of MODELS. */
  DEFAULT_MODEL?: string;
  /** Maximum number of inputs in one request (array input). */
  MAX_BATCH?: string;
  /** Maximum request body size in bytes. */
  MAX_BODY_BYTES?: string;
  /** Workers KV namespace for cached results (optional: without it only the in-isolate LRU caches). */
  CACHE?: KVNamespace;
  /** KV expiration of cached results in seconds (at least 60, KV's minimum). */
  CACHE_TTL_SECONDS?: string;
  /** In-isolate LRU bounds. */
  CACHE_MAX_ENTRIES?: string;
  CACHE_MAX_BYTES?: string;
}

/** Per-request variables set by middleware. */
export interface Variables extends TimingVariables {
  requestId: string;
  config: ServiceConfig;
  registry: ModelRegistry;
  cache: ResultCache<unknown>;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
