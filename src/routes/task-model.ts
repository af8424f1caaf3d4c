/**
 * @module routes/task-model
 * Which model a task route runs when the request names none: the default model if it has the
 * route's kind of head, else the first served model (`MODELS` order) that has. A named model is
 * taken as named (the service refuses one of the wrong kind with 400 `unsupported_model`).
 */
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import type { Task } from "../model/manifest.ts";
import type { RunDeps } from "../services/cached-run.ts";

export async function resolveForTask(c: Context<AppEnv>, deps: RunDeps, named: string | undefined, tasks: readonly Task[]): Promise<string> {
  const registry = c.var.registry;
  if (named !== undefined) return registry.resolve(named);
  const { defaultModel, models } = c.var.config;
  for (const id of [defaultModel, ...models.filter((m) => m !== defaultModel)]) {
    const manifest = await registry.manifest(id, deps.defer).catch(() => undefined);
    if (manifest !== undefined && tasks.includes(manifest.task)) return id;
  }
  throw new ApiError(400, "unsupported_model", `no served model is a ${tasks.join(" or ")} model: name one with "model" (see GET /v1/models)`, {}, "model");
}
