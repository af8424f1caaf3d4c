/**
 * @module routes/health
 * `GET /healthz`: liveness, no model work, no auth.
 */
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { errorResponses, jsonAnswer, routeGroup } from "./openapi.ts";

export const health = routeGroup().get(
  "/healthz",
  describeRoute({
    operationId: "health",
    summary: "Liveness",
    responses: {
      200: jsonAnswer(v.object({ status: v.literal("ok") }), "the Worker is up (no model is touched)"),
      ...errorResponses("plain", ["config_error", "internal_error"]),
    },
  }),
  (c) => c.json({ status: "ok" as const }, 200),
);
