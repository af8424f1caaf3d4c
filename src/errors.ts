/**
 * @module errors
 * The API's error type and JSON envelope: every error is `{"error": {"code", "message"}}` with
 * the right HTTP status, never a stack trace. OpenAI-compatible routes answer OpenAI's error object
 * instead (`{"error": {"message", "type", "param", "code"}}`, see `openAIErrorBody`).
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly headers: Record<string, string>;
  /** The request field at fault (`"input"`, `"input[2]"`, `"model"`), reported as OpenAI's `param`. */
  readonly param: string | undefined;

  constructor(status: ContentfulStatusCode, code: string, message: string, headers: Record<string, string> = {}, param?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.param = param;
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** A JSON error response outside Hono's context (e.g. for middleware that needs a `Response`). */
export function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(errorBody(code, message)), {
    status,
    headers: { "content-type": "application/json; charset=UTF-8", ...headers },
  });
}

/** OpenAI's error object: our `code` and `message` as they are, plus `type` and `param`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

/**
 * OpenAI's `type` for a status: `authentication_error` (401), `permission_error` (403),
 * `rate_limit_error` (429), `server_error` (5xx), `invalid_request_error` (any other 4xx).
 */
export function openAIErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

export function openAIErrorBody(status: number, code: string, message: string, param: string | null = null): OpenAIErrorBody {
  return { error: { message, type: openAIErrorType(status), param, code } };
}
