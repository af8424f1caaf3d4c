/**
 * @module env
 * The Worker's bindings and the Hono environment type shared by the app, routes and middleware.
 */
import type { TimingVariables } from "hono/timing";
import type { ResultCache } from "./cache/result-cache.ts";
import type { ServiceConfig } from "./config.ts";
import type { SentimentTag } from "./middleware/sentiment.ts";
import type { Usage } from "./middleware/usage.ts";
import type { ModelRegistry } from "./worker/model-registry.ts";

/** Bindings from wrangler.toml (`[vars]`, `[assets]`) and Worker secrets. */
export interface Bindings {
  /** Static assets holding `model-shards/` (see wrangler.toml `[assets]`). */
  ASSETS: Fetcher;
  /** Optional single API key (a Worker secret; key id `default`). Kept for compatibility: prefer API_KEYS. */
  API_KEY?: string;
  /**
   * Named API keys (a Worker secret): JSON `{"<key id>": "<sha256 hex of the key>"}`. With it or
   * API_KEY set, `/v1/*` (webhooks aside) requires `Authorization: Bearer <key>`.
   */
  API_KEYS?: string;
  /**
   * Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml): `/v1/*` requests (webhooks
   * aside) are counted per key id, or per client address when the API is open. Off when absent.
   */
  RATE_LIMITER?: RateLimit;
  /** The binding's limit as `<requests>/<period seconds>` (e.g. "120/60"), for the response headers. */
  RATE_LIMIT?: string;
  /** Origins allowed to call `/v1/*` from a browser: `*` or a comma-separated list (none when unset). */
  CORS_ORIGINS?: string;
  /** Comma-separated model ids served by this Worker (directories under model-shards/). */
  MODELS?: string;
  /** Model used when a request names none. Defaults to the first of MODELS. */
  DEFAULT_MODEL?: string;
  /** Maximum number of inputs in one request (array input). */
  MAX_BATCH?: string;
  /** Maximum request body size in bytes. */
  MAX_BODY_BYTES?: string;
  /** Work budget of one request: tokens after truncation over all its inputs (default 2048); 413 beyond. */
  MAX_REQUEST_TOKENS?: string;
  /** Workers KV namespace for cached results (optional: without it only the in-isolate LRU caches). */
  CACHE?: KVNamespace;
  /** KV expiration of cached results in seconds (at least 60, KV's minimum). */
  CACHE_TTL_SECONDS?: string;
  /** In-isolate LRU bounds. */
  CACHE_MAX_ENTRIES?: string;
  CACHE_MAX_BYTES?: string;
  /** Model behind /v1/moderations and webhooks (default "moderation"). */
  MODERATION_MODEL?: string;
  /** Per-category flag thresholds, e.g. "hate=0.5,offensive=0.5" (default 0.5). */
  MODERATION_THRESHOLDS?: string;
  /** Model names `/v1/moderations` maps to MODERATION_MODEL (default OpenAI's three; empty: none). */
  MODERATION_ALIASES?: string;
  /** Our labels → OpenAI category names, e.g. "offensive=harassment,hate=hate" (empty: none). */
  MODERATION_CATEGORIES?: string;
  /** Webhook definitions: a table per hook name (see README, "Webhook moderation"). */
  WEBHOOKS?: unknown;
  /** Proxy mode: origin that `/proxy/*` forwards to, with `x-sentiment` added (off when unset). */
  PROXY_ORIGIN?: string;
  /** Where the proxy finds the text: `body` (default), `query:<name>` or `pointer:<json pointer>`. */
  PROXY_TEXT?: string;
  /** Sentiment model used by the proxy (default "sentiment"). */
  PROXY_MODEL?: string;
  /** Token budget of the proxy's sentiment tag: the text's first N tokens are classified (default 128). */
  PROXY_MAX_TOKENS?: string;
  /** Longest wait for the proxy's sentiment model to load, ms (default 500); then the tag is `unknown`. */
  PROXY_LOAD_WAIT_MS?: string;
}

/** Per-request variables set by middleware. */
export interface Variables extends TimingVariables {
  requestId: string;
  config: ServiceConfig;
  registry: ModelRegistry;
  cache: ResultCache<unknown>;
  /** The id of the API key the request authenticated with (never the key); unset when the API is open. */
  keyId?: string;
  /** What the request used (model, tokens, cache), for `x-usage-tokens` and the request log. */
  usage?: Usage;
  /** Set by the sentiment middleware (proxy mode). */
  sentiment: SentimentTag;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
