/**
 * @module middleware/openai-errors
 * OpenAI's error object on the OpenAI-compatible routes (`/v1/moderations`, `/v1/models`): every
 * error answer there, whoever produced it (a route, auth, rate limits, body limits, 405s), is
 * rewritten from our envelope `{"error": {"code", "message"}}` to
 * `{"error": {"message", "type", "param", "code"}}`, the same `code` and `message` kept. `param` is
 * the field an `ApiError` names (`"input"`, `"model"`), else null. Mount it before everything
 * that can answer with an error, so that it sees their answers.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError, isErrorCode, openAIErrorBody, type ErrorCode } from "../errors.ts";

function ourEnvelope(body: unknown): { code: ErrorCode; message: string } | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message } = error as Record<string, unknown>;
  return isErrorCode(code) && typeof message === "string" ? { code, message } : undefined;
}

export function openAIErrors(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const response = c.res;
    if (response.status < 400 || !(response.headers.get("content-type") ?? "").startsWith("application/json")) return;
    const error = ourEnvelope(await response.clone().json().catch(() => undefined));
    if (error === undefined) return;
    const param = c.error instanceof ApiError ? (c.error.param ?? null) : null;
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    c.res = undefined;
    c.res = new Response(JSON.stringify(openAIErrorBody(response.status, error.code, error.message, param)), { status: response.status, headers });
  };
}
