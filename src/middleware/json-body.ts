/**
 * @module middleware/json-body
 * Guards JSON endpoints: `content-type: application/json` (415 otherwise), a body size limit
 * (413, enforced while streaming by Hono's `bodyLimit`, so a lying content-length cannot bypass it),
 * and well-formed JSON (400). The parsed body is available to the handler as `c.req.json()`.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { every } from "hono/combine";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

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
    await next();
  };
  return every(requireJson, limit, parse);
}
