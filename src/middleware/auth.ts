/**
 * @module middleware/auth
 * Optional API-key auth. When the `API_KEY` secret is set, requests need
 * `Authorization: Bearer <key>`; the key is compared in constant time by Hono's `bearerAuth`
 * (it hashes both sides before comparing). When unset, the API is open.
 */
import type { MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import type { AppEnv } from "../env.ts";
import { errorResponse } from "../errors.ts";

const challenge = 'Bearer realm="albert-edge"';

const unauthorized = (message: string) => (): Response =>
  errorResponse(401, "unauthorized", message, { "www-authenticate": challenge });

export function apiKeyAuth(): MiddlewareHandler<AppEnv> {
  let cached: { key: string; handler: MiddlewareHandler } | undefined;
  return async (c, next) => {
    const key = c.env.API_KEY;
    if (key === undefined || key === "") return next();
    if (cached?.key !== key) {
      cached = {
        key,
        handler: bearerAuth({
          token: key,
          realm: "albert-edge",
          noAuthenticationHeader: { message: unauthorized("missing API key: send Authorization: Bearer <key>") },
          invalidAuthenticationHeader: { message: unauthorized("malformed Authorization header: expected Bearer <key>") },
          invalidToken: { message: unauthorized("invalid API key") },
        }),
      };
    }
    return cached.handler(c, next);
  };
}
