/**
 * @module middleware/usage
 * Usage figures and the request log. Routes say what a request used with `recordUsage` (model,
 * tokens, cache outcome, inputs); this middleware then puts `x-usage-tokens` on every `/v1/*`
 * answer (0 when nothing was tokenized: errors, `/v1/models`) and writes one JSON line per request
 * with `console.log`, which Workers Logs indexes field by field and Logpush ships:
 *
 * `{"message":"request","request_id","key_id","method","route","status","error","model","inputs","tokens","cache","latency_ms"}`
 *
 * Nothing in it identifies the text: no body, no query string, no key, and the route pattern
 * (`/v1/webhooks/:hook`), not the path. `latency_ms` is the Worker's own view: its clock moves at
 * I/O only, so CPU-bound work shows up in Workers Logs' `cpuTime`/`wallTime`, not here.
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { CacheSource } from "../cache/result-cache.ts";
import type { AppEnv, Usage } from "../env.ts";
import { ApiError, type ErrorCode } from "../errors.ts";

export type { Usage };

export interface RequestLogLine {
  message: "request";
  request_id: string | null;
  key_id: string | null;
  method: string;
  route: string | null;
  status: number;
  /** The error code of a 4xx/5xx answer. */
  error: ErrorCode | null;
  model: string | null;
  inputs: number;
  tokens: number;
  cache: CacheSource | null;
  latency_ms: number;
}

/** Records what the request used (call once the work is done). */
export function recordUsage(c: Context<AppEnv>, usage: Usage): void {
  c.set("usage", usage);
}

/**
 * The pattern of the route that matched (not the path), or null when only middleware did. Route
 * handlers take `(c)`, middleware `(c, next)`: the last matched handler is the route.
 */
function routeOf(c: Context): string | null {
  const handlers = matchedRoutes(c).filter((route) => route.handler.length < 2);
  return handlers.at(-1)?.path ?? null;
}

export function usageLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = Date.now();
    await next();
    const usage = c.var.usage;
    if (c.req.path.startsWith("/v1/")) c.header("x-usage-tokens", String(usage?.tokens ?? 0));
    const line: RequestLogLine = {
      message: "request",
      request_id: c.var.requestId ?? null,
      key_id: c.var.keyId ?? null,
      method: c.req.method,
      route: routeOf(c),
      status: c.res.status,
      error: c.error instanceof ApiError ? c.error.code : c.error !== undefined ? "internal_error" : null,
      model: usage?.model ?? null,
      inputs: usage?.inputs ?? 0,
      tokens: usage?.tokens ?? 0,
      cache: usage?.cache ?? null,
      latency_ms: Date.now() - started,
    };
    console.log(JSON.stringify(line));
  };
}
