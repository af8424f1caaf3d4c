/**
 * @module webhooks/forward
 * Sends the original webhook body, byte for byte, to the hook's target with the sender's headers
 * (signatures included, so the target can still verify them) plus `x-moderation-*` headers.
 */
import type { ModerationVerdict } from "./verdict.ts";

/** Headers that describe this hop, not the payload. */
const HOP_HEADERS = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
  "upgrade",
  "authorization",
  "cookie",
  "x-forwarded-for",
  "x-real-ip",
]);

export function forwardHeaders(incoming: Headers, verdict: ModerationVerdict): Headers {
  const headers = new Headers();
  incoming.forEach((value, name) => {
    if (!HOP_HEADERS.has(name) && !name.startsWith("cf-")) headers.set(name, value);
  });
  const flaggedCategories = new Set(verdict.results.flatMap((r) => Object.keys(r.categories).filter((k) => r.categories[k])));
  headers.set("x-moderation-flagged", String(verdict.flagged));
  headers.set("x-moderation-categories", [...flaggedCategories].join(","));
  headers.set("x-moderation-model", verdict.model);
  headers.set("x-moderation-hook", verdict.hook);
  return headers;
}

export interface ForwardResult {
  ok: boolean;
  status: number;
  error?: string;
}

export async function forward(target: string, body: Uint8Array, headers: Headers): Promise<ForwardResult> {
  try {
    const response = await fetch(target, { method: "POST", headers, body });
    await response.body?.cancel();
    return { ok: response.ok, status: response.status };
  } catch (error) {
    return { ok: false, status: 0, error: error instanceof Error ? error.message : String(error) };
  }
}
