/**
 * @module routes/webhook-doc
 * The OpenAPI description of `POST /v1/webhooks/{hook}`. The body is the sender's own payload, so
 * it is documented as a generic JSON object (a plain JSON schema: nothing validates it, the route
 * must verify the signature on the untouched raw bytes first). Used as the route's `describeRoute`.
 */
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { documented, ErrorSchema, errorResponses, jsonAnswer, MODEL_ERRORS } from "./openapi.ts";
import { described, Int, named } from "./schema-doc.ts";

const FieldVerdict = named(
  v.object({
    field: described(v.string(), "the JSON pointer of the text (arrays walked: /commits/0/message)"),
    flagged: v.boolean(),
    categories: v.record(v.string(), v.boolean()),
    category_scores: v.record(v.string(), v.number()),
  }),
  "WebhookFieldVerdict",
);

const Verdict = named(
  v.object({
    hook: v.string(),
    model: described(v.string(), "id@version of the moderation model"),
    flagged: v.boolean(),
    moderated: described(v.boolean(), "false when no configured field held text (e.g. GitHub's ping)"),
    reason: v.optional(described(v.string(), "why nothing was moderated (only when moderated is false)")),
    results: v.array(FieldVerdict),
    forwarded: v.optional(described(v.object({ status: Int }), "the target's status (action forward)")),
  }),
  "WebhookVerdict",
);

const VerdictError = named(
  v.object({ ...ErrorSchema.pipe[0].entries, moderation: v.optional(Verdict) }),
  "WebhookError",
  "our error envelope; `flagged` and `forward_failed` also carry the verdict in `moderation`",
);

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

export const describeWebhook = describeRoute({
  operationId: "moderateWebhook",
  summary: "Moderate a signed webhook delivery",
  description:
    "The hook (WEBHOOKS) names the signature scheme (`github`: `X-Hub-Signature-256`; `timestamped`: `t=<unix>,v1=<hex>` in its signature header; `none`), " +
    "the JSON pointers of the text fields, and the action: `respond` answers the verdict, `forward` sends the original body to the hook's target " +
    "with `x-moderation-*` headers. Signed by the hook's secret, not by the API key; not rate limited.",
  parameters: [{ name: "hook", in: "path", required: true, description: "a webhook name from WEBHOOKS", schema: { type: "string" } }],
  requestBody: {
    required: true,
    description: "the sender's payload, verified byte for byte",
    content: {
      "application/json": { schema: { type: "object", additionalProperties: true, description: "any JSON payload" } },
      "application/x-www-form-urlencoded": {
        schema: { type: "object", properties: { payload: { type: "string", description: "the JSON payload (GitHub's form encoding)" } }, required: ["payload"] },
      },
    },
  },
  responses: {
    200: jsonAnswer(Verdict, "the verdict (action respond), or the verdict with the target's status (action forward)"),
    ...errors,
    422: { ...errors[422]!, content: { "application/json": { schema: documented(VerdictError) } } },
    502: { ...errors[502]!, content: { "application/json": { schema: documented(VerdictError) } } },
  },
});
