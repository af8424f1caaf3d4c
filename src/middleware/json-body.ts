/**
 * @module middleware/json-body
 * Guards JSON endpoints: `content-type: application/json` (415 otherwise), a body size limit
 * (413, enforced while streaming by Hono's `bodyLimit`, so a lying content-length cannot bypass it),
 * and well-formed JSON (400). The parsed body is available to the handler as `c.req.json()`, and to
 * the route's schema validator (`c.req.valid("json")`, see `routes/openapi.ts`), which runs next.
 *
 * Hono's validators read only some of the JSON content types this guard accepts (not
 * `application/json;` or `text/x+json`, say); for those, the request the validator sees says plain
 * `application/json` (the body is already parsed and cached, so nothing is read twice).
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { every } from "hono/combine";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

/** The JSON content types Hono's JSON validator (under `hono-openapi`'s `validator`) reads. */
const VALIDATOR_READS = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/** JSON body guard; the size limit is the service's `maxBodyBytes` (`MAX_BODY_BYTES`). */
export function jsonBody(): MiddlewareHandler<AppEnv> {
  const requireJson: MiddlewareHandler = async (c, next) => {
    const type = c.req.header("content-type") ?? "";
    const mediaType = type.split(";")[0]!.trim().toLowerCase();
    if (mediaType !== "application/json" && !mediaType.endsWith("+json")) {
      throw new ApiError(415, "unsupported_media_type", `expected content-type application/json, got ${type === "" ? "none" : JSON.stringify(type)}`);
    }
    await next();
  };
  const limit: MiddlewareHandler<AppEnv> = (c, next) => {
    const maxSize = c.var.config.maxBodyBytes;
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError(413, "payload_too_large", `request body is over the limit of ${maxSize} bytes`);
      },
    })(c, next);
  };
  const parse: MiddlewareHandler = async (c, next) => {
    try {
      await c.req.json();
    } catch {
      throw new ApiError(400, "invalid_json", "request body is not valid JSON");
    }
    if (!VALIDATOR_READS.test(c.req.header("content-type") ?? "")) {
      const headers = new Headers(c.req.raw.headers);
      headers.set("content-type", "application/json");
      c.req.raw = new Request(c.req.raw.url, { method: c.req.raw.method, headers });
    }
    await next();
  };
  return every(requireJson, limit, parse);
}
