/**
 * @module routes/proxy-doc
 * The OpenAPI description of `/proxy/{path}`, one operation per HTTP method (the proxy forwards
 * any). Bodies and answers are the origin's, documented as generic; only our own errors are ours.
 */
import { z, type RouteConfig } from "@hono/zod-openapi";
import { errorResponses } from "./openapi.ts";

/** The methods the proxy forwards: every method OpenAPI can describe. */
export const PROXY_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

export function proxyRoutes(): RouteConfig[] {
  return PROXY_METHODS.map((method) => ({
    method,
    path: "/proxy/{path}",
    operationId: `proxy${method[0]!.toUpperCase()}${method.slice(1)}`,
    summary: `Forward a ${method.toUpperCase()} to PROXY_ORIGIN with x-sentiment`,
    description:
      "Proxy mode (off unless PROXY_ORIGIN is set: 404 not_found): forwards method, path, query, headers and body to PROXY_ORIGIN, " +
      "adding `x-sentiment: <label>;score=<p>` from the text PROXY_TEXT names. The origin's answer is passed back as it is.",
    request: {
      params: z.object({ path: z.string().openapi({ description: "the path under PROXY_ORIGIN; may contain slashes" }) }),
      ...(method === "get" || method === "head" ? {} : { body: { description: "anything; forwarded byte for byte", content: { "*/*": { schema: {} } } } }),
    },
    responses: {
      default: { description: "the origin's answer, passed back unchanged", content: { "*/*": { schema: {} } } },
      ...errorResponses("plain", ["not_found", "upstream_failed", "config_error", "internal_error"]),
    },
  }));
}
