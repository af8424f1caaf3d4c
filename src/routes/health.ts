/**
 * @module routes/health
 * `GET /healthz`: liveness, no model work, no auth.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

export const health = new Hono<AppEnv>().get("/healthz", (c) => c.json({ status: "ok" }));
