/**
 * @module routes/proxy-doc
 * The OpenAPI description of `/proxy/{path}`, one operation per HTTP method (the proxy forwards
 * any, as one `ALL` route, which `hono-openapi` cannot split by method: so this path item is given
 * to the document as it is). Bodies and answers are the origin's, documented as generic; only our
 * own errors are ours (the `Error` component, which every other route registers).
 */
import { ERROR_STATUS, type ErrorCode } from "../errors.ts";

/** The methods the proxy forwards: every method OpenAPI can describe. */
export const PROXY_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

const ERRORS: readonly ErrorCode[] = ["not_found", "upstream_failed", "config_error", "internal_error"];

/** The proxy's error answers by status, as `errorResponses` writes them, by reference to `Error`. */
function errorResponses(): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ERRORS) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const responses: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = { description: `error: ${list.map((code) => `\`${code}\``).join(", ")}`, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  }
  return responses;
}

/** The path item of `/proxy/{path}`. */
export function proxyPathItem(): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const method of PROXY_METHODS) {
    item[method] = {
      operationId: `proxy${method[0]!.toUpperCase()}${method.slice(1)}`,
      summary: `Forward a ${method.toUpperCase()} to PROXY_ORIGIN with x-sentiment`,
      description:
        "Proxy mode (off unless PROXY_ORIGIN is set: 404 not_found): forwards method, path, query, headers and body to PROXY_ORIGIN, " +
        "adding `x-sentiment: <label>;score=<p>` from the text PROXY_TEXT names. The origin's answer is passed back as it is.",
      parameters: [{ name: "path", in: "path", required: true, description: "the path under PROXY_ORIGIN; may contain slashes", schema: { type: "string" } }],
      ...(method === "get" || method === "head" ? {} : { requestBody: { description: "anything; forwarded byte for byte", content: { "*/*": { schema: {} } } } }),
      responses: {
        default: { description: "the origin's answer, passed back unchanged", content: { "*/*": { schema: {} } } },
        ...errorResponses(),
      },
    };
  }
  return item;
}
