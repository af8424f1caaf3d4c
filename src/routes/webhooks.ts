/**
 * @module routes/webhooks
 * `POST /v1/webhooks/:hook`: signed-webhook moderation. Order matters: unknown hook (404) → size
 * limit (413) → signature on the raw bytes (401) → JSON (400; `application/x-www-form-urlencoded`
 * bodies carry it as `payload=<json>`, GitHub's default for hooks made through its API) → text
 * fields → moderation → block (422, never forwarded) → respond (200 verdict) or forward (200, or
 * 502 when the target fails so the sender retries: nothing is silently dropped). A payload without
 * text in the hook's fields (GitHub's `ping`, events the fields do not cover) is accepted with
 * `moderated: false` and nothing flagged, unless the hook sets `require_text` (then 422 `no_text`).
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cachePolicy } from "../cache/result-cache.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, errorBody } from "../errors.ts";
import { moderateTexts } from "../services/moderate.ts";
import { forward, forwardHeaders } from "../webhooks/forward.ts";
import { HookConfigError, type HookConfig } from "../webhooks/hook-config.ts";
import { findTexts } from "../webhooks/json-pointer.ts";
import { SignatureError, verifyGithub, verifyTimestamped } from "../webhooks/signature.ts";
import type { ModerationVerdict } from "../webhooks/verdict.ts";
import { routeGroup } from "./openapi.ts";
import { classifyDeps, reportTimings } from "./outcome.ts";
import { describeWebhook } from "./webhook-doc.ts";

function hookFor(c: Context<AppEnv>): HookConfig {
  let hooks: ReadonlyMap<string, HookConfig>;
  try {
    hooks = c.var.config.webhooks;
  } catch (error) {
    if (error instanceof HookConfigError) throw new ApiError(500, "config_error", error.message);
    throw error;
  }
  const name = c.req.param("hook") ?? "";
  const hook = hooks.get(name);
  if (hook === undefined) throw new ApiError(404, "hook_not_found", `no webhook named ${JSON.stringify(name)} is configured`);
  return hook;
}

async function checkSignature(c: Context<AppEnv>, hook: HookConfig, body: Uint8Array): Promise<void> {
  if (hook.signature === "none") return;
  const secret = (c.env as unknown as Record<string, unknown>)[hook.secret!];
  if (typeof secret !== "string" || secret === "") {
    throw new ApiError(500, "config_error", `webhook ${hook.name}: the Worker secret ${hook.secret} is not set`);
  }
  try {
    if (hook.signature === "github") await verifyGithub(secret, body, c.req.header("x-hub-signature-256"));
    else await verifyTimestamped(secret, body, c.req.header(hook.signatureHeader), hook.toleranceSeconds, Date.now() / 1000);
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    const code = error.reason === "missing" ? "signature_missing" : error.reason === "stale" || error.reason === "future" ? "signature_expired" : "signature_invalid";
    throw new ApiError(401, code, error.message);
  }
}

/** The payload: JSON, or for `application/x-www-form-urlencoded` the JSON in its `payload` field. */
function parsePayload(raw: Uint8Array, contentType: string | undefined): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(raw);
  } catch {
    throw new ApiError(400, "invalid_json", "webhook body is not valid UTF-8");
  }
  const form = (contentType ?? "").split(";")[0]!.trim().toLowerCase() === "application/x-www-form-urlencoded";
  if (form) {
    const field = new URLSearchParams(text).get("payload");
    if (field === null) throw new ApiError(400, "invalid_json", "form-encoded webhook body has no payload field (expected payload=<json>)");
    text = field;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", form ? "the payload field of the form-encoded webhook body is not valid JSON" : "webhook body is not valid JSON");
  }
}

/** Documented by `describeWebhook`; not validated by schema (the signature needs the raw bytes). */
export const webhooks = routeGroup();
webhooks.post(
  "/v1/webhooks/:hook",
  describeWebhook,
  async (c, next) => {
    hookFor(c); // 404 before reading any body
    await next();
  },
  (c, next) =>
    bodyLimit({
      maxSize: c.var.config.maxBodyBytes,
      onError: () => {
        throw new ApiError(413, "payload_too_large", `webhook body is over the limit of ${c.var.config.maxBodyBytes} bytes`);
      },
    })(c, next),
  async (c) => {
    const hook = hookFor(c);
    const raw = new Uint8Array(await c.req.arrayBuffer());
    await checkSignature(c, hook, raw);

    const payload = parsePayload(raw, c.req.header("content-type"));
    const found = hook.fields.flatMap((pointer) => findTexts(payload, pointer)).filter((f) => f.text.trim() !== "");
    const noText = `none of the hook's fields (${hook.fields.join(", ")}) holds text in this payload`;
    if (found.length === 0 && hook.requireText) throw new ApiError(422, "no_text", noText);
    if (found.length > c.var.config.maxBatch) {
      throw new ApiError(413, "too_many_fields", `payload has ${found.length} text fields; the maximum is ${c.var.config.maxBatch}`);
    }

    const id = c.var.registry.resolve(hook.model ?? c.var.config.moderation.model);
    const outcome = await moderateTexts(
      classifyDeps(c),
      id,
      found.map((f) => f.text),
      c.var.config.moderation.thresholds,
      cachePolicy(undefined),
    );
    if (found.length > 0) reportTimings(c, outcome);
    const verdict: ModerationVerdict = {
      hook: hook.name,
      model: `${outcome.model}@${outcome.version}`,
      flagged: outcome.results.some((r) => r.flagged),
      moderated: found.length > 0,
      ...(found.length > 0 ? {} : { reason: c.req.header("x-github-event") === "ping" ? `GitHub ping: ${noText}` : noText }),
      results: outcome.results.map((result, i) => ({ field: found[i]!.pointer, ...result })),
    };

    if (hook.blockFlagged && verdict.flagged) {
      return c.json({ ...errorBody("flagged", "the payload was flagged by moderation and not accepted"), moderation: verdict }, 422);
    }
    if (hook.action === "respond") return c.json(verdict);

    const result = await forward(hook.target!, raw, forwardHeaders(c.req.raw.headers, verdict));
    if (!result.ok) {
      const why = result.error ?? `HTTP ${result.status}`;
      return c.json({ ...errorBody("forward_failed", `forwarding to the hook's target failed (${why}); retry the delivery`), moderation: verdict }, 502);
    }
    return c.json({ ...verdict, forwarded: { status: result.status } });
  },
);
