/**
 * @module routes/openapi-document
 * `GET /openapi.json`: the OpenAPI 3.1 document of the whole app, generated from the route groups'
 * schemas (the ones that validate the requests) when first asked for, then kept for the isolate.
 * The route describes itself too, so that every route of the app is in the document.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { errorResponses, jsonAnswer } from "./openapi.ts";

const DESCRIPTION = [
  "Text classification and moderation with ALBERT models on Cloudflare Workers.",
  "",
  'Every error is `{"error": {"code", "message"}}` (`Error`) with the status its code has (`ErrorCode`); the OpenAI-compatible routes',
  "(`/v1/moderations`, `/v1/models`) answer OpenAI's error object (`OpenAIError`) with the same code and message. Any path without a",
  "route answers 404 `not_found`; a known path with a method it does not serve answers 405 `method_not_allowed` with an `Allow` header.",
  "",
  "Answer headers: `x-request-id`; on model routes `x-model` (`id@version`), `x-cache` (`hit-memory`, `hit-kv`, `miss`); on every `/v1/*`",
  "answer `x-usage-tokens`; rate-limit headers (`x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests`, `retry-after`);",
  "`server-timing`. Limits (wrangler.toml `[vars]`): MAX_BATCH inputs per request (400 `too_many_inputs`), MAX_BODY_BYTES",
  "(413 `payload_too_large`), MAX_REQUEST_TOKENS tokens of work per request (413 `too_much_work`).",
].join("\n");

const route = createRoute({
  method: "get",
  path: "/openapi.json",
  operationId: "openapi",
  summary: "This OpenAPI 3.1 document",
  responses: {
    200: jsonAnswer(z.record(z.string(), z.unknown()).openapi({ description: "an OpenAPI 3.1 document" }), "the API's description"),
    ...errorResponses("plain", ["config_error", "internal_error"]),
  },
});

/** The OpenAPI 3.1 document of `app`: its registry (every route group mounted on it) and ours. */
export function openAPIDocument(app: OpenAPIHono<AppEnv>): Record<string, unknown> {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: "albert-edge", version: "v1", description: DESCRIPTION },
  }) as unknown as Record<string, unknown>;
}

/** Serves `GET /openapi.json` from `app`'s registry (built on the first request, then kept). */
export function serveOpenAPIDocument(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API key (API_KEYS / API_KEY); only required when one is configured.",
  });
  let document: Record<string, unknown> | undefined;
  app.openapi(route, (c) => c.json((document ??= openAPIDocument(app)), 200));
}
