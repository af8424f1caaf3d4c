/**
 * @module middleware/errors
 * Turns every failure into the JSON error envelope: `ApiError`s keep their status and code, Hono's
 * `HTTPException`s (body limit, auth) keep their response, anything else is a 500 without details.
 * Also the 404 handler for unknown routes.
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { HTTPException } from "hono/http-exception";
import { ApiError, errorBody } from "../errors.ts";

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const id: string | undefined = c.var.requestId;
  if (error instanceof ApiError) {
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return c.json(errorBody(error.code, error.message), error.status);
  }
  if (error instanceof HTTPException) {
    const res = error.getResponse();
    if (id !== undefined) res.headers.set("x-request-id", id);
    return res;
  }
  console.error(`request ${id ?? "?"} failed:`, error);
  return c.json(errorBody("internal_error", "internal error; the request id identifies it in the logs"), 500);
};

export const notFound: NotFoundHandler = (c: Context) =>
  c.json(errorBody("not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404);
