/**
 * @module routes/openapi
 * The one pattern every route follows, so that `GET /openapi.json` is generated from the same
 * schemas that validate the requests (`hono-openapi`: valibot schemas, validated through Standard
 * Schema, and `@valibot/to-json-schema` for the document). We left `@hono/zod-openapi` + zod for
 * size and memory: zod alone held ~3 MB of heap in every isolate (see the README). A route group is
 *
 * ```ts
 * export const things = routeGroup().post(
 *   "/v1/things",
 *   describeRoute({
 *     operationId: "things",
 *     summary: "…",
 *     responses: {
 *       200: jsonAnswer(ThingAnswer, "the things"),   // documents the answer (not checked at run time)
 *       ...errorResponses("plain", [...JSON_BODY_ERRORS, ...V1_ERRORS, "model_not_found"]),
 *     },
 *     security: V1_SECURITY,
 *   }),
 *   jsonBody(),                                       // 415 / 413 / invalid_json, before validation
 *   jsonRequest(ThingRequest),                        // valibot schema: validates and documents the body
 *   async (c) => {
 *     const body = c.req.valid("json");              // typed and valid
 *     ...
 *     return c.json(answer, 200);
 *   },
 * );
 * ```
 *
 * and is mounted with `app.route("/", things)` in `app.ts`. A failed validation never reaches the
 * handler: `jsonRequest`'s hook (`routes/validation.ts`) throws our `ApiError` (`invalid_request`,
 * or the code of a `codedCheck`, e.g. `empty_input`) naming the field. Schema messages are
 * predicates (`"must be a string"`): the hook puts the field in front. Limits known only at run
 * time (`MAX_BATCH`) are checked by the handler after validation. A schema is a named component
 * of the document when its pipe ends with `v.metadata({ ref: "Name" })` (`named`, `routes/schema-doc.ts`). Routes whose
 * bodies are not ours (webhooks, the proxy) document plain JSON-schema objects and validate
 * nothing, so the raw bytes stay untouched. Every code a route can answer is listed in its
 * `errorResponses`; the codes are `ErrorCode`.
 */
import { Hono } from "hono";
import { resolver, validator } from "hono-openapi";
import * as v from "valibot";
import type { AppEnv } from "../env.ts";
import { ERROR_CODES, ERROR_STATUS, OPENAI_ERROR_TYPES, type ErrorCode } from "../errors.ts";
import { described, named } from "./schema-doc.ts";
import { validationHook } from "./validation.ts";

/** A new route group (a plain Hono app; the document is read from its routes' `describeRoute`). */
export function routeGroup(): Hono<AppEnv> {
  return new Hono<AppEnv>();
}

export const ErrorCodeSchema = named(v.picklist(ERROR_CODES), "ErrorCode", "Every error code the API answers (each with one HTTP status; see the README's error table).");

export const ErrorSchema = named(
  v.object({ error: v.object({ code: ErrorCodeSchema, message: described(v.string(), "what went wrong, naming the field or limit at fault") }) }),
  "Error",
);

export const OpenAIErrorSchema = named(
  v.object({
    error: v.object({
      message: v.string(),
      type: described(v.picklist(OPENAI_ERROR_TYPES), "follows the status: 401 authentication_error, 403 permission_error, 429 rate_limit_error, 5xx server_error, other 4xx invalid_request_error"),
      param: described(v.nullable(v.string()), "the request field at fault (`input`, `input[2]`, `model`), or null"),
      code: ErrorCodeSchema,
    }),
  }),
  "OpenAIError",
);

/** Errors any JSON body can get before its schema is checked, and the schema's own failure. */
export const JSON_BODY_ERRORS = ["unsupported_media_type", "payload_too_large", "invalid_json", "invalid_request"] as const satisfies readonly ErrorCode[];

/** Errors of every `/v1/*` route behind the API key and the rate limiter, and of any route. */
export const V1_ERRORS = ["unauthorized", "rate_limit_exceeded", "config_error", "internal_error"] as const satisfies readonly ErrorCode[];

/** The model errors of every route that runs a model (or its tokenizer). */
export const MODEL_ERRORS = ["model_not_found", "model_unavailable"] as const satisfies readonly ErrorCode[];

/** `/v1/*` takes `Authorization: Bearer <key>` when `API_KEYS` / `API_KEY` is set (else open). */
export const V1_SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }, {}];

/** JSON Schema 2020-12, OpenAPI 3.1's dialect (tuples as `prefixItems`), not draft-07. */
const DIALECT = { options: { target: "draft-2020-12" } };

/** The middleware that validates a required JSON body by `schema` (our errors) and documents it. */
export function jsonRequest<S extends v.GenericSchema>(schema: S) {
  return validator("json", schema, validationHook, DIALECT);
}

/** `schema` as the document describes it. */
export function documented(schema: v.GenericSchema) {
  return resolver(schema, DIALECT);
}

/** A JSON answer documented by `schema`. */
export function jsonAnswer(schema: v.GenericSchema, description: string) {
  return { description, content: { "application/json": { schema: documented(schema) } } };
}

/**
 * The error answers of a route, by status, each naming its codes: our envelope (`plain`) or
 * OpenAI's error object (`openai`, for the OpenAI-compatible routes).
 */
export function errorResponses(style: "plain" | "openai", codes: readonly ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const schema = style === "plain" ? ErrorSchema : OpenAIErrorSchema;
  const responses: Record<number, ReturnType<typeof jsonAnswer>> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = jsonAnswer(schema, `error: ${list.map((code) => `\`${code}\``).join(", ")}`);
  }
  return responses;
}
