/**
 * @module routes/validation
 * Turns a failed schema validation into our error: the library's `defaultHook` (see
 * `routes/openapi.ts`) throws an `ApiError` with our code, the field at fault in the message and as
 * `param` (`input`, `input[1]`, `input[0].text`, `model`), never the library's own error shape.
 *
 * Schemas phrase their messages as predicates about the field (`"must be a string"`, `"is empty"`),
 * which this module prefixes with the field (`"input[1]" must be a string`); a message on the body
 * itself (empty path) stands alone. The code is `invalid_request` unless the failing check names
 * another in its `params.code` (`empty_input`, `unsupported_input`). Only the first issue is
 * reported, so checks run in the schema's key order. Of a union that failed, the branch that got
 * furthest into the value is the one explained (`["ok", 7]` is an array with a bad item, not a bad
 * string).
 */
import type { z } from "@hono/zod-openapi";
import { ApiError, ERROR_STATUS, isErrorCode } from "../errors.ts";

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** `["input", 1, "text"]` → `input[1].text`. */
export function fieldName(path: Path): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("");
}

/** The innermost issue worth reporting, with its full path. */
function explain(issue: Issue, base: Path): { issue: Issue; path: Path } {
  const path = [...base, ...issue.path];
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return { issue, path };
  let best: Issue | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first !== undefined && first.path.length > 0 && (best === undefined || first.path.length > best.path.length)) best = first;
  }
  return best === undefined ? { issue, path } : explain(best, path);
}

/** The `ApiError` for the first issue of a failed validation. */
export function validationError(issues: readonly Issue[]): ApiError {
  const first = issues[0];
  if (first === undefined) return new ApiError(400, "invalid_request", "request is not valid");
  const { issue, path } = explain(first, []);
  const named = issue.code === "custom" ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  const code = isErrorCode(named) && ERROR_STATUS[named] === 400 ? named : "invalid_request";
  const message = issue.message.startsWith("Invalid input") ? `is not valid (${issue.message})` : issue.message;
  if (path.length === 0) return new ApiError(ERROR_STATUS[code], code, message);
  const field = fieldName(path);
  return new ApiError(ERROR_STATUS[code], code, `"${field}" ${message}`, {}, field);
}

/** The `defaultHook` of every route group: throws our error when validation failed. */
export function validationHook(result: { success: true } | { success: false; error: { issues: readonly Issue[] } }): undefined {
  if (!result.success) throw validationError(result.error.issues);
  return undefined;
}
