/**
 * @module middleware/cors
 * CORS for browser clients: Hono's `cors` middleware, configured from `CORS_ORIGINS` (`*` or a
 * comma-separated list of origins; none when unset). It runs before the service setup, auth and
 * the rate limiter, so a preflight (`OPTIONS`) is answered (204) without reading a key, counting
 * against a limit or touching a model; an origin not on the list gets no
 * `access-control-allow-origin`. Browsers may send `authorization` (no cookies: no credentials)
 * and read the headers that describe an answer (request id, cache, model, usage, rate limits).
 * With no origins configured, no CORS headers are sent and a preflight still gets a bare 204.
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { parseCorsOrigins } from "../config.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

export const CORS_EXPOSED_HEADERS = [
  "x-request-id",
  "x-cache",
  "x-model",
  "x-usage-tokens",
  "x-ratelimit-limit-requests",
  "x-ratelimit-remaining-requests",
  "retry-after",
  "server-timing",
];

function build(raw: string | undefined): MiddlewareHandler | undefined {
  let origins: "*" | string[];
  try {
    origins = parseCorsOrigins(raw);
  } catch (error) {
    throw new ApiError(500, "config_error", error instanceof Error ? error.message : String(error));
  }
  if (origins !== "*" && origins.length === 0) return undefined;
  return cors({
    origin: origins,
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["authorization", "content-type", "cache-control", "x-request-id"],
    exposeHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 86_400,
  });
}

export function corsFromConfig(): MiddlewareHandler<AppEnv> {
  let built: { raw: string | undefined; handler: MiddlewareHandler | undefined } | undefined;
  return async (c, next) => {
    const raw = c.env.CORS_ORIGINS;
    if (built === undefined || built.raw !== raw) built = { raw, handler: build(raw) };
    if (built.handler !== undefined) return built.handler(c, next);
    if (c.req.method === "OPTIONS") return c.body(null, 204);
    await next();
  };
}
