/**
 * @module routes/health
 * `GET /healthz`: liveness, no model work, no auth.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonAnswer, routeGroup } from "./openapi.ts";

const route = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "health",
  summary: "Liveness",
  responses: {
    200: jsonAnswer(z.object({ status: z.literal("ok") }), "the Worker is up (no model is touched)"),
    ...errorResponses("plain", ["config_error", "internal_error"]),
  },
});

export const health = routeGroup().openapi(route, (c) => c.json({ status: "ok" as const }, 200));
