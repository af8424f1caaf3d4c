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
}

export const DEFAULTS = {
  models: ["sentiment"],
  maxBatch: 32,
  maxBodyBytes: 256 * 1024,
} as const;

export function readConfig(env: Bindings): ServiceConfig {
  const models = (env.MODELS ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  const list = models.length > 0 ? models : [...DEFAULTS.models];
  return {
    models: list,
    defaultModel: env.DEFAULT_MODEL?.trim() || list[0]!,
    maxBatch: positiveInt(env.MAX_BATCH, DEFAULTS.maxBatch),
    maxBodyBytes: positiveInt(env.MAX_BODY_BYTES, DEFAULTS.maxBodyBytes),
  };
}

function positiveInt(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
