/**
 * @module middleware/request-id
 * Gives every request an id (the caller's `x-request-id` when it is sane, else a UUID), exposes it
 * as `c.var.requestId` and echoes it in the `x-request-id` response header.
 */
import type { MiddlewareHandler } from "hono";

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const id = incoming !== undefined && SANE_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    c.header("x-request-id", id);
    await next();
  };
}
