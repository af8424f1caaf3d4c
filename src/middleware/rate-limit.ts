/**
 * @module middleware/rate-limit
 * Per-client rate limits on the Workers Rate Limiting binding (`RATE_LIMITER`, `[[ratelimits]]` in
 * wrangler.toml). A request counts against its key id (`c.var.keyId`, set by the auth middleware,
 * so it runs after it), or against the client's address (`cf-connecting-ip`; an IPv6 client by its
 * /64) when the API is open. Every request counts, cached answers included. Over the limit: 429
 * `rate_limit_exceeded` with `retry-after` and `x-ratelimit-remaining-requests: 0`.
 *
 * The binding answers only `{success}`: it does not say the limit, what is left or when the
 * window resets. `RATE_LIMIT` ("120/60", the binding's numbers) adds `x-ratelimit-limit-requests`
 * and sets `retry-after` to the period (the longest wait a fixed window can need; 60 s, the longest
 * period the binding allows, when unset). Remaining requests are known only at 0. When the binding
 * itself fails, the request is let through and a warning logged. No binding, no limits.
 */
import type { Context, MiddlewareHandler } from "hono";
import { expandIPv6 } from "hono/utils/ipaddr";
import { parseRateLimit, type DeclaredRateLimit } from "../config.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

/** The longest period the binding accepts, in seconds: an upper bound for `retry-after`. */
const LONGEST_PERIOD_SECONDS = 60;

function declared(value: string | undefined): DeclaredRateLimit | undefined {
  try {
    return parseRateLimit(value);
  } catch (error) {
    throw new ApiError(500, "config_error", error instanceof Error ? error.message : String(error));
  }
}

/**
 * The client's address as the limiter counts it: IPv4 as is, IPv6 by its /64 prefix. Cloudflare
 * sets `cf-connecting-ip` on every request (a client cannot choose it); Hono's
 * `hono/cloudflare-workers` getConnInfo reads the same header but that adapter is deprecated.
 */
export function clientAddress(c: Context): string {
  const address = c.req.header("cf-connecting-ip")?.trim();
  if (address === undefined || address === "") return "unknown";
  if (!address.includes(":")) return address;
  try {
    return `${expandIPv6(address).split(":").slice(0, 4).join(":")}::/64`;
  } catch {
    return address;
  }
}

/** The limiter's counter for this request: the key id, or the client address when open. */
export function limitKey(c: Context<AppEnv>): string {
  return c.var.keyId !== undefined ? `key:${c.var.keyId}` : `ip:${clientAddress(c)}`;
}

export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limiter = c.env.RATE_LIMITER;
    if (limiter === undefined) return next();
    const limit = declared(c.env.RATE_LIMIT);
    let success = true;
    try {
      ({ success } = await limiter.limit({ key: limitKey(c) }));
    } catch (error) {
      console.warn(JSON.stringify({ message: "rate limiter failed; request let through", request_id: c.var.requestId, error: String(error) }));
    }
    if (limit !== undefined) c.header("x-ratelimit-limit-requests", String(limit.requests));
    if (!success) {
      const wait = limit?.periodSeconds ?? LONGEST_PERIOD_SECONDS;
      const who = c.var.keyId !== undefined ? `API key ${JSON.stringify(c.var.keyId)}` : "this client address";
      const rate = limit !== undefined ? ` (${limit.requests} requests per ${limit.periodSeconds} s)` : "";
      throw new ApiError(429, "rate_limit_exceeded", `rate limit exceeded for ${who}${rate}; retry after ${wait} s`, {
        "retry-after": String(wait),
        "x-ratelimit-remaining-requests": "0",
      });
    }
    await next();
  };
}
