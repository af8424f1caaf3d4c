/**
 * @module routes/webhook-doc
 * The OpenAPI description of `POST /v1/webhooks/{hook}`. The body is the sender's own payload, so
 * it is documented as a generic JSON object (a plain JSON schema, which the library documents but
 * does not validate: the route must verify the signature on the untouched raw bytes first).
 */
import { z, type RouteConfig } from "@hono/zod-openapi";
import { ErrorSchema, errorResponses, jsonAnswer, MODEL_ERRORS } from "./openapi.ts";

const FieldVerdict = z
  .object({
    field: z.string().openapi({ description: "the JSON pointer of the text (arrays walked: /commits/0/message)" }),
    flagged: z.boolean(),
    categories: z.record(z.string(), z.boolean()),
    category_scores: z.record(z.string(), z.number()),
  })
  .openapi("WebhookFieldVerdict");

const Verdict = z
  .object({
    hook: z.string(),
    model: z.string().openapi({ description: "id@version of the moderation model" }),
    flagged: z.boolean(),
    moderated: z.boolean().openapi({ description: "false when no configured field held text (e.g. GitHub's ping)" }),
    reason: z.string().optional().openapi({ description: "why nothing was moderated (only when moderated is false)" }),
    results: z.array(FieldVerdict),
    forwarded: z.object({ status: z.int() }).optional().openapi({ description: "the target's status (action forward)" }),
  })
  .openapi("WebhookVerdict");

const VerdictError = ErrorSchema.extend({ moderation: Verdict.optional() }).openapi("WebhookError", {
  description: "our error envelope; `flagged` and `forward_failed` also carry the verdict in `moderation`",
});

const errors = errorResponses("plain", [
  "hook_not_found",
  "payload_too_large",
  "signature_missing",
  "signature_invalid",
  "signature_expired",
  "invalid_json",
  "no_text",
  "too_many_fields",
  "too_much_work",
  "unsupported_model",
  ...MODEL_ERRORS,
  "flagged",
  "forward_failed",
  "config_error",
  "internal_error",
]);

export const webhookRoute: RouteConfig = {
  method: "post",
  path: "/v1/webhooks/{hook}",
  operationId: "moderateWebhook",
  summary: "Moderate a signed webhook delivery",
  description:
    "The hook (WEBHOOKS) names the signature scheme (`github`: `X-Hub-Signature-256`; `timestamped`: `t=<unix>,v1=<hex>` in its signature header; `none`), " +
    "the JSON pointers of the text fields, and the action: `respond` answers the verdict, `forward` sends the original body to the hook's target " +
    "with `x-moderation-*` headers. Signed by the hook's secret, not by the API key; not rate limited.",
  request: {
    params: z.object({ hook: z.string().openapi({ description: "a webhook name from WEBHOOKS" }) }),
    body: {
      required: true,
      description: "the sender's payload, verified byte for byte",
      content: {
        "application/json": { schema: { type: "object", additionalProperties: true, description: "any JSON payload" } },
        "application/x-www-form-urlencoded": {
          schema: { type: "object", properties: { payload: { type: "string", description: "the JSON payload (GitHub's form encoding)" } }, required: ["payload"] },
        },
      },
    },
  },
  responses: {
    200: jsonAnswer(Verdict, "the verdict (action respond), or the verdict with the target's status (action forward)"),
    ...errors,
    422: { ...errors[422]!, content: { "application/json": { schema: VerdictError } } },
    502: { ...errors[502]!, content: { "application/json": { schema: VerdictError } } },
  },
};
