/**
 * @module config
 * Reads the Worker's configuration from its bindings, with documented defaults.
 */
import type { Bindings } from "./env.ts";

export interface ServiceConfig {
  models: string[];
  defaultModel: string;
  maxBatch: number;
  maxBodyBytes: number;
  cache: { ttlSeconds: number; maxEntries: number; maxBytes: number };
}

export const DEFAULTS = {
  models: ["sentiment"],
  maxBatch: 32,
  maxBodyBytes: 256 * 1024,
  cacheTtlSeconds: 86_400,
  cacheMaxEntries: 10_000,
  cacheMaxBytes: 8 * 1024 * 1024,
} as const;

export function readConfig(env: Bindings): ServiceConfig {
  const models = list(env.MODELS);
  const served = models.length > 0 ? models : [...DEFAULTS.models];
  return {
    models: served,
    defaultModel: env.DEFAULT_MODEL?.trim() || served[0]!,
    maxBatch: positiveInt(env.MAX_BATCH, DEFAULTS.maxBatch),
    maxBodyBytes: positiveInt(env.MAX_BODY_BYTES, DEFAULTS.maxBodyBytes),
    cache: {
      ttlSeconds: positiveInt(env.CACHE_TTL_SECONDS, DEFAULTS.cacheTtlSeconds),
      maxEntries: positiveInt(env.CACHE_MAX_ENTRIES, DEFAULTS.cacheMaxEntries),
      maxBytes: positiveInt(env.CACHE_MAX_BYTES, DEFAULTS.cacheMaxBytes),
    },
  };
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
