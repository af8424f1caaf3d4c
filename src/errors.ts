/**
 * @module errors
 * The API's error codes, error type and JSON envelope: every error is `{"error": {"code", "message"}}`
 * with the right HTTP status, never a stack trace. OpenAI-compatible routes answer OpenAI's error
 * object instead (`{"error": {"message", "type", "param", "code"}}`, see `openAIErrorBody`).
 *
 * `ERROR_STATUS` is the one list of codes: `ErrorCode` is its keys, `ApiError` takes only those
 * (and only with the code's status), `/openapi.json` documents them, and a test checks the
 * README's error table against it in both directions. A new code goes here first.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error code the API answers, with the one HTTP status it is answered with. */
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  empty_input: 400,
  too_many_inputs: 400,
  unsupported_model: 400,
  unsupported_input: 400,
  unauthorized: 401,
  signature_missing: 401,
  signature_invalid: 401,
  signature_expired: 401,
  not_found: 404,
  model_not_found: 404,
  hook_not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  too_much_work: 413,
  too_many_fields: 413,
  unsupported_media_type: 415,
  no_text: 422,
  flagged: 422,
  rate_limit_exceeded: 429,
  config_error: 500,
  internal_error: 500,
  forward_failed: 502,
  upstream_failed: 502,
  model_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The status that goes with a code (a union of statuses for a union of codes). */
export type ErrorStatus<C extends ErrorCode> = (typeof ERROR_STATUS)[C];

/** All codes, in the order of `ERROR_STATUS` (by status). */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_STATUS, value);
}

export class ApiError<C extends ErrorCode = ErrorCode> extends Error {
  readonly status: ErrorStatus<C>;
  readonly code: C;
  readonly headers: Record<string, string>;
  /** The request field at fault (`"input"`, `"input[2]"`, `"model"`), reported as OpenAI's `param`. */
  readonly param: string | undefined;

  constructor(status: ErrorStatus<C>, code: C, message: string, headers: Record<string, string> = {}, param?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.param = param;
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** A JSON error response outside Hono's context (e.g. for middleware that needs a `Response`). */
export function errorResponse(code: ErrorCode, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(errorBody(code, message)), {
    status: ERROR_STATUS[code],
    headers: { "content-type": "application/json; charset=UTF-8", ...headers },
  });
}

/** OpenAI's `type` values, by status (see `openAIErrorType`). */
export const OPENAI_ERROR_TYPES = ["invalid_request_error", "authentication_error", "permission_error", "rate_limit_error", "server_error"] as const;
export type OpenAIErrorType = (typeof OPENAI_ERROR_TYPES)[number];

/** OpenAI's error object: our `code` and `message` as they are, plus `type` and `param`. */
export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; param: string | null; code: ErrorCode };
}

/**
 * OpenAI's `type` for a status: `authentication_error` (401), `permission_error` (403),
 * `rate_limit_error` (429), `server_error` (5xx), `invalid_request_error` (any other 4xx).
 */
export function openAIErrorType(status: number): OpenAIErrorType {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

export function openAIErrorBody(status: number, code: ErrorCode, message: string, param: string | null = null): OpenAIErrorBody {
  return { error: { message, type: openAIErrorType(status), param, code } };
}
