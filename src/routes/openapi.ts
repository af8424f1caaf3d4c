/**
 * @module routes/openapi
 * The one pattern every route follows, so that `GET /openapi.json` is generated from the same
 * schemas that validate the requests (`@hono/zod-openapi`: zod schemas, Hono's validator, and
 * `@asteasolutions/zod-to-openapi` for the document). A route group is
 *
 * ```ts
 * export const things = routeGroup().openapi(
 *   createRoute({
 *     method: "post",
 *     path: "/v1/things",
 *     middleware: [jsonBody()],                       // 415 / 413 / invalid_json, before validation
 *     request: jsonRequest(ThingRequest),             // zod schema: validates and documents the body
 *     responses: {
 *       200: jsonAnswer(ThingAnswer, "the things"),   // documents the answer (not checked at run time)
 *       ...errorResponses("plain", [...JSON_BODY_ERRORS, ...V1_ERRORS, "model_not_found"]),
 *     },
 *     security: V1_SECURITY,
 *   }),
 *   async (c) => {
 *     const body = c.req.valid("json");              // typed and valid
 *     ...
 *     return c.json(answer, 200);
 *   },
 * );
 * ```
 *
 * and is mounted with `app.route("/", things)` in `app.ts`. A failed validation never reaches the
 * handler: the group's `defaultHook` (`routes/validation.ts`) throws our `ApiError`
 * (`invalid_request`, or the `params.code` of the check, e.g. `empty_input`) naming the field.
 * Schema messages are predicates (`"must be a string"`): the hook puts the field in front. Limits
 * known only at run time (`MAX_BATCH`) are checked by the handler after validation. Routes whose
 * bodies are not ours (webhooks, the proxy) document a plain JSON-schema object, which the library
 * documents but does not validate (it validates zod schemas only), so the raw bytes stay untouched.
 * Every code a route can answer is listed in its `errorResponses`; the codes are `ErrorCode`.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { ERROR_CODES, ERROR_STATUS, OPENAI_ERROR_TYPES, type ErrorCode } from "../errors.ts";
import { validationHook } from "./validation.ts";

/** A new route group: an `OpenAPIHono` whose validation failures are our errors. */
export function routeGroup(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

export const ErrorCodeSchema = z.enum(ERROR_CODES).openapi("ErrorCode", {
  description: "Every error code the API answers (each with one HTTP status; see the README's error table).",
});

export const ErrorSchema = z
  .object({ error: z.object({ code: ErrorCodeSchema, message: z.string().openapi({ description: "what went wrong, naming the field or limit at fault" }) }) })
  .openapi("Error");

export const OpenAIErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.enum(OPENAI_ERROR_TYPES).openapi({ description: "follows the status: 401 authentication_error, 403 permission_error, 429 rate_limit_error, 5xx server_error, other 4xx invalid_request_error" }),
      param: z.string().nullable().openapi({ description: "the request field at fault (`input`, `input[2]`, `model`), or null" }),
      code: ErrorCodeSchema,
    }),
  })
  .openapi("OpenAIError");

/** Errors any JSON body can get before its schema is checked, and the schema's own failure. */
export const JSON_BODY_ERRORS = ["unsupported_media_type", "payload_too_large", "invalid_json", "invalid_request"] as const satisfies readonly ErrorCode[];

/** Errors of every `/v1/*` route behind the API key and the rate limiter, and of any route. */
export const V1_ERRORS = ["unauthorized", "rate_limit_exceeded", "config_error", "internal_error"] as const satisfies readonly ErrorCode[];

/** The model errors of every route that runs a model (or its tokenizer). */
export const MODEL_ERRORS = ["model_not_found", "model_unavailable"] as const satisfies readonly ErrorCode[];

/** `/v1/*` takes `Authorization: Bearer <key>` when `API_KEYS` / `API_KEY` is set (else open). */
export const V1_SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }, {}];

/** `request` of a route with a required JSON body validated by `schema`. */
export function jsonRequest<T extends z.ZodType>(schema: T) {
  return { body: { required: true as const, content: { "application/json": { schema } } } };
}

/** A JSON answer documented by `schema`. */
export function jsonAnswer<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/**
 * The error answers of a route, by status, each naming its codes: our envelope (`plain`) or
 * OpenAI's error object (`openai`, for the OpenAI-compatible routes).
 */
export function errorResponses(style: "plain" | "openai", codes: readonly ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const schema = style === "plain" ? ErrorSchema : OpenAIErrorSchema;
  const responses: Record<number, { description: string; content: { "application/json": { schema: typeof schema } } }> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = { description: `error: ${list.map((code) => `\`${code}\``).join(", ")}`, content: { "application/json": { schema } } };
  }
  return responses;
}
