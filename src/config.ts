/**
 * @module config
 * Reads the Worker's configuration from its bindings, with documented defaults, once per distinct
 * bindings object (`readConfig`; workerd hands every request of an isolate the same `env`).
 *
 * The settings every route needs are parsed up front: an invalid one (e.g. `MODERATION_THRESHOLDS`)
 * fails every request with 500 `config_error`. The settings of one feature (`WEBHOOKS`, `PROXY_*`)
 * are parsed on first use, also once: an invalid one fails only that feature's requests.
 */
import type { Bindings } from "./bindings.ts";
import { ApiError } from "./errors.ts";
import { SENTIMENT_DEFAULTS, type TextSource } from "./middleware/sentiment.ts";
import type { Thresholds } from "./services/moderate.ts";
import { parseCategoryMap, type CategoryMap } from "./services/openai-categories.ts";
import { parseHooks, type HookConfig } from "./webhooks/hook-config.ts";

export interface ServiceConfig {
  models: string[];
  defaultModel: string;
  maxBatch: number;
  maxBodyBytes: number;
  /** Work budget of one model-backed request: tokens after truncation, summed over its inputs. */
  maxRequestTokens: number;
  /**
   * `EARLY_EXIT`: `on` (default) lets a model whose manifest has `early_exit` stop once its
   * prediction is stable; `off` runs every layer on every route (as `full_depth: true` does for one
   * classify request).
   */
  earlyExit: boolean;
  cache: { ttlSeconds: number; maxEntries: number; maxBytes: number };
  moderation: {
    model: string;
    thresholds: Thresholds;
    /** Model names `/v1/moderations` answers with `model` (OpenAI's, for its SDK and clients). */
    aliases: string[];
    /** Our labels → OpenAI's category names, added to `/v1/moderations` answers. */
    categories: CategoryMap;
  };
  /**
   * `WEBHOOKS`: the hooks by name. Parsed on first read; reading it throws `HookConfigError` when
   * the definition is invalid (the webhook route answers 500 `config_error`).
   */
  readonly webhooks: ReadonlyMap<string, HookConfig>;
  /**
   * Proxy mode (`PROXY_*`): undefined while `PROXY_ORIGIN` is unset (off). Parsed on first read;
   * reading it throws an `ApiError` (500 `config_error`) when a setting is invalid.
   */
  readonly proxy: ProxyConfig | undefined;
}

export interface ProxyConfig {
  /** `PROXY_ORIGIN`: where `/proxy/*` goes. */
  origin: URL;
  /** `PROXY_TEXT`: where the sentiment tag's text is (`body`, `query:<name>`, `pointer:<json pointer>`). */
  text: TextSource;
  /** `PROXY_MODEL` (default `sentiment`). */
  model: string;
  /** `PROXY_MAX_TOKENS`: the tag's token budget (default 128). */
  maxTokens: number;
  /** `PROXY_LOAD_WAIT_MS`: longest wait for the model load (default 500). */
  loadWaitMs: number;
}

export const DEFAULTS = {
  models: ["sentiment"],
  maxBatch: 32,
  maxBodyBytes: 256 * 1024,
  // Worst accepted request ≈ 4 texts × 512 tokens ≈ 4 × 200 ms on the bench machine (bench/RESULTS.md).
  maxRequestTokens: 2048,
  cacheTtlSeconds: 86_400,
  cacheMaxEntries: 10_000,
  cacheMaxBytes: 8 * 1024 * 1024,
  moderationModel: "moderation",
  moderationAliases: "omni-moderation-latest,text-moderation-latest,text-moderation-stable",
  moderationCategories: "offensive=harassment,hate=hate",
} as const;

const parsed = new WeakMap<Bindings, { config: ServiceConfig } | { error: unknown }>();

/**
 * The configuration of these bindings, parsed on the first call for this object and then reused
 * (a failure too: it is thrown again). Throws when a setting every route needs is invalid.
 */
export function readConfig(env: Bindings): ServiceConfig {
  let entry = parsed.get(env);
  if (entry === undefined) {
    try {
      entry = { config: parseConfig(env) };
    } catch (error) {
      entry = { error };
    }
    parsed.set(env, entry);
  }
  if ("error" in entry) throw entry.error;
  return entry.config;
}

/** Parses the configuration afresh (`readConfig` caches it per bindings object). */
export function parseConfig(env: Bindings): ServiceConfig {
  const models = list(env.MODELS);
  const served = models.length > 0 ? models : [...DEFAULTS.models];
  const webhooks = once(() => parseHooks(env.WEBHOOKS));
  const proxy = once(() => parseProxy(env));
  return {
    models: served,
    defaultModel: env.DEFAULT_MODEL?.trim() || served[0]!,
    maxBatch: positiveInt(env.MAX_BATCH, DEFAULTS.maxBatch),
    maxBodyBytes: positiveInt(env.MAX_BODY_BYTES, DEFAULTS.maxBodyBytes),
    maxRequestTokens: positiveInt(env.MAX_REQUEST_TOKENS, DEFAULTS.maxRequestTokens),
    earlyExit: parseEarlyExit(env.EARLY_EXIT),
    cache: {
      ttlSeconds: positiveInt(env.CACHE_TTL_SECONDS, DEFAULTS.cacheTtlSeconds),
      maxEntries: positiveInt(env.CACHE_MAX_ENTRIES, DEFAULTS.cacheMaxEntries),
      maxBytes: positiveInt(env.CACHE_MAX_BYTES, DEFAULTS.cacheMaxBytes),
    },
    moderation: {
      model: env.MODERATION_MODEL?.trim() || DEFAULTS.moderationModel,
      thresholds: parseThresholds(env.MODERATION_THRESHOLDS),
      aliases: list(env.MODERATION_ALIASES ?? DEFAULTS.moderationAliases),
      categories: parseCategoryMap(env.MODERATION_CATEGORIES, DEFAULTS.moderationCategories),
    },
    get webhooks() {
      return webhooks();
    },
    get proxy() {
      return proxy();
    },
  };
}

function parseEarlyExit(raw: string | undefined): boolean {
  const value = raw?.trim().toLowerCase() ?? "";
  if (value === "" || value === "on") return true;
  if (value === "off") return false;
  throw new ApiError(500, "config_error", `EARLY_EXIT must be "on" or "off", not ${JSON.stringify(raw)}`);
}

/** `parse` run on the first call only; its value, or its error, is returned, or thrown, ever after. */
function once<T>(parse: () => T): () => T {
  let result: { value: T } | { error: unknown } | undefined;
  return () => {
    if (result === undefined) {
      try {
        result = { value: parse() };
      } catch (error) {
        result = { error };
      }
    }
    if ("error" in result) throw result.error;
    return result.value;
  };
}

function parseProxy(env: Bindings): ProxyConfig | undefined {
  const configured = env.PROXY_ORIGIN?.trim();
  if (!configured) return undefined;
  let origin: URL;
  try {
    origin = new URL(configured);
  } catch {
    throw new ApiError(500, "config_error", "PROXY_ORIGIN is not a URL");
  }
  return {
    origin,
    text: parseTextSource(env.PROXY_TEXT),
    model: env.PROXY_MODEL?.trim() || "sentiment",
    maxTokens: positiveInt(env.PROXY_MAX_TOKENS, SENTIMENT_DEFAULTS.maxTokens),
    loadWaitMs: positiveInt(env.PROXY_LOAD_WAIT_MS, SENTIMENT_DEFAULTS.loadWaitMs),
  };
}

/** `PROXY_TEXT`: `body` (default), `query:<name>` or `pointer:<json pointer>`. */
export function parseTextSource(value: string | undefined): TextSource {
  const spec = value?.trim() ?? "body";
  if (spec === "" || spec === "body") return "body";
  if (spec.startsWith("query:") && spec.length > 6) return { query: spec.slice(6) };
  if (spec.startsWith("pointer:")) return { pointer: spec.slice(8) };
  throw new ApiError(500, "config_error", `PROXY_TEXT must be body, query:<name> or pointer:<json pointer>, not ${JSON.stringify(spec)}`);
}

/**
 * `MODERATION_THRESHOLDS`: `"0.5"` (every category) or `"hate=0.4,offensive=0.6"`, optionally with
 * a `default=` entry. Unset (or a category not covered): the model's own thresholds, else 0.5.
 * Invalid entries are a configuration error, reported at request time.
 */
export function parseThresholds(value: string | undefined): Thresholds {
  const thresholds: Thresholds = { byCategory: {} };
  for (const entry of list(value)) {
    const [name, raw] = entry.includes("=") ? entry.split("=", 2).map((part) => part.trim()) : ["default", entry];
    const threshold = Number(raw);
    if (name === undefined || name === "" || raw === undefined || raw === "" || !(threshold >= 0 && threshold <= 1)) {
      throw new RangeError(`MODERATION_THRESHOLDS: ${JSON.stringify(entry)} is not category=number with 0 <= number <= 1`);
    }
    if (name === "default") thresholds.default = threshold;
    else thresholds.byCategory[name] = threshold;
  }
  return thresholds;
}

/** Comma-separated list, trimmed, empties dropped. */
export function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function positiveInt(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The binding's own limit, declared again for response headers (the binding cannot report it). */
export interface DeclaredRateLimit {
  requests: number;
  periodSeconds: 10 | 60;
}

/**
 * `RATE_LIMIT`: `"<requests>/<period seconds>"`, the same numbers as the `RATE_LIMITER` binding's
 * `[ratelimits.simple]` in wrangler.toml (period 10 or 60, as the binding allows). Unset: none.
 */
export function parseRateLimit(value: string | undefined): DeclaredRateLimit | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const match = /^\s*(\d+)\s*\/\s*(10|60)\s*s?\s*$/.exec(value);
  const requests = Number(match?.[1]);
  if (match === null || !Number.isSafeInteger(requests) || requests < 1) {
    throw new RangeError(`RATE_LIMIT: ${JSON.stringify(value)} is not <requests>/<period>, with period 10 or 60 seconds (e.g. "120/60")`);
  }
  return { requests, periodSeconds: Number(match[2]) as 10 | 60 };
}

/**
 * `CORS_ORIGINS`: `*`, or a comma-separated list of origins (`https://app.example.com`); unset or
 * empty allows none. Entries are compared with the browser's `Origin` exactly, so each must be a
 * bare origin (scheme, host, optional port; no path).
 */
export function parseCorsOrigins(value: string | undefined): "*" | string[] {
  const entries = list(value);
  if (entries.includes("*")) return "*";
  return entries.map((entry) => {
    const origin = entry.replace(/\/+$/, "");
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin !== origin) {
      throw new RangeError(`CORS_ORIGINS: ${JSON.stringify(entry)} is not an origin like https://app.example.com (or *)`);
    }
    return origin;
  });
}
