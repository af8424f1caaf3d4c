/**
 * @module config
 * Reads the Worker's configuration from its bindings, with documented defaults.
 */
import type { Bindings } from "./env.ts";
import type { Thresholds } from "./services/moderate.ts";
import { parseCategoryMap, type CategoryMap } from "./services/openai-categories.ts";

export interface ServiceConfig {
  models: string[];
  defaultModel: string;
  maxBatch: number;
  maxBodyBytes: number;
  /** Work budget of one model-backed request: tokens after truncation, summed over its inputs. */
  maxRequestTokens: number;
  cache: { ttlSeconds: number; maxEntries: number; maxBytes: number };
  moderation: {
    model: string;
    thresholds: Thresholds;
    /** Model names `/v1/moderations` answers with `model` (OpenAI's, for its SDK and clients). */
    aliases: string[];
    /** Our labels → OpenAI's category names, added to `/v1/moderations` answers. */
    categories: CategoryMap;
  };
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
  moderationThreshold: 0.5,
  moderationAliases: "omni-moderation-latest,text-moderation-latest,text-moderation-stable",
  moderationCategories: "offensive=harassment,hate=hate",
} as const;

export function readConfig(env: Bindings): ServiceConfig {
  const models = list(env.MODELS);
  const served = models.length > 0 ? models : [...DEFAULTS.models];
  return {
    models: served,
    defaultModel: env.DEFAULT_MODEL?.trim() || served[0]!,
    maxBatch: positiveInt(env.MAX_BATCH, DEFAULTS.maxBatch),
    maxBodyBytes: positiveInt(env.MAX_BODY_BYTES, DEFAULTS.maxBodyBytes),
    maxRequestTokens: positiveInt(env.MAX_REQUEST_TOKENS, DEFAULTS.maxRequestTokens),
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
  };
}

/**
 * `MODERATION_THRESHOLDS`: `"0.5"` (every category) or `"hate=0.4,offensive=0.6"`, optionally with
 * a `default=` entry. Invalid entries are a configuration error, reported at request time.
 */
export function parseThresholds(value: string | undefined): Thresholds {
  const thresholds: Thresholds = { default: DEFAULTS.moderationThreshold, byCategory: {} };
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
