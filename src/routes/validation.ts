/**
 * @module routes/validation
 * Turns a failed schema validation into our error: `jsonRequest`'s hook (see `routes/openapi.ts`)
 * throws an `ApiError` with our code, the field at fault in the message and as `param` (`input`,
 * `input[1]`, `input[0].text`, `model`), never the library's own error shape.
 *
 * Schemas phrase their messages as predicates about the field (`"must be a string"`, `"is empty"`),
 * which this module prefixes with the field (`"input[1]" must be a string`); a message on the body
 * itself (empty path) stands alone. The code is `invalid_request` unless the failing check is a
 * `codedCheck` naming another (`empty_input`, `unsupported_input`). Only the first issue is
 * reported, so checks run in the schema's key order. Of a union that failed, the branch that got
 * furthest into the value is the one explained (`["ok", 7]` is an array with a bad item, not a bad
 * string). A missing required key is explained by its own schema's message for `undefined`
 * (`jsonObject`), as if the key were there.
 */
import * as v from "valibot";
import { ApiError, ERROR_STATUS, isErrorCode, type ErrorCode } from "../errors.ts";

type Issue = v.BaseIssue<unknown>;
type Path = readonly PropertyKey[];

/** `["input", 1, "text"]` → `input[1].text`. */
export function fieldName(path: Path): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("");
}

/** valibot's path items → the keys. */
function keys(issue: Issue): PropertyKey[] {
  return (issue.path ?? []).map((item) => item.key as PropertyKey);
}

/** A check whose failure answers `code` (400) instead of `invalid_request`. */
export function codedCheck<T>(code: ErrorCode, requirement: (input: T) => boolean, message: string) {
  return v.check<T, string>(Object.assign((input: T) => requirement(input), { code }), message);
}

/**
 * An object schema whose failure as a whole says `message`, and whose missing required keys say
 * what their own schema says of `undefined` (`"input" is missing: …`), as zod did. An array is not
 * an object here (valibot's `object` would read its keys).
 */
export function jsonObject<E extends v.ObjectEntries>(entries: E, message: string) {
  const object = v.object(entries, (issue) => {
    const key = issue.path?.[0]?.key;
    if (issue.input !== undefined || typeof key !== "string" || !(key in entries)) return message;
    return v.safeParse(entries[key]!, undefined).issues?.[0]?.message ?? message;
  });
  const noArrays: typeof object = {
    ...object,
    "~run"(dataset, config) {
      return object["~run"](Array.isArray(dataset.value) ? { ...dataset, value: null } : dataset, config);
    },
  };
  return v.pipe(noArrays); // a pipe of one, for Standard Schema's `validate` to run the `~run` above
}

/** The innermost issue worth reporting, with its full path. */
function explain(issue: Issue, base: Path): { issue: Issue; path: Path } {
  const path = [...base, ...keys(issue)];
  if (issue.type !== "union" || issue.issues === undefined || issue.issues.length === 0) return { issue, path };
  let best: Issue | undefined;
  for (const inner of issue.issues) {
    const depth = inner.path?.length ?? 0;
    if (depth > 0 && (best === undefined || depth > (best.path?.length ?? 0))) best = inner;
  }
  return best === undefined ? { issue, path } : explain(best, path);
}

/** What a schema without a message of its own says: the wording the API has always used. */
function defaultMessage(issue: Issue): string {
  if (issue.kind !== "schema" || issue.expected === null) return issue.message;
  const input = issue.input;
  const received = input === null ? "null" : Array.isArray(input) ? "array" : typeof input === "number" && !Number.isFinite(input) ? String(input) : typeof input;
  return `Invalid input: expected ${issue.expected.toLowerCase()}, received ${received}`;
}

/** The `ApiError` for the first issue of a failed validation. */
export function validationError(issues: readonly Issue[]): ApiError {
  const first = issues[0];
  if (first === undefined) return new ApiError(400, "invalid_request", "request is not valid");
  const { issue, path } = explain(first, []);
  const named = (issue.requirement as { code?: unknown } | undefined)?.code;
  const code = isErrorCode(named) && ERROR_STATUS[named] === 400 ? named : "invalid_request";
  const message = issue.message.startsWith("Invalid ") ? `is not valid (${defaultMessage(issue)})` : issue.message;
  if (path.length === 0) return new ApiError(ERROR_STATUS[code], code, message);
  const field = fieldName(path);
  return new ApiError(ERROR_STATUS[code], code, `"${field}" ${message}`, {}, field);
}

/** The hook of every validated body: throws our error when validation failed. */
export function validationHook(result: { success: true } | { success: false; error: readonly unknown[] }): undefined {
  if (!result.success) throw validationError(result.error as readonly Issue[]);
  return undefined;
}
