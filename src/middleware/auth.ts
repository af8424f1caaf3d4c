/**
 * @module middleware/auth
 * API keys. `API_KEYS` (a Worker secret) holds JSON `{"<key id>": "<sha256 hex of the key>"}`:
 * several keys at once, so a key is rotated by adding the new one before removing the old; the
 * single `API_KEY` secret still works, as key id `default`. With either set, requests need
 * `Authorization: Bearer <key>`. The presented key is hashed with WebCrypto and its digest is
 * compared with every configured digest by `crypto.subtle.timingSafeEqual` (all of them, every
 * time, so neither the key nor which entry matched shows in the timing). The matching key id,
 * never the key, is `c.var.keyId` for the rest of the request. With neither set, the API is open.
 */
import type { MiddlewareHandler } from "hono";
import { parseApiKeys, type ApiKeyEntry } from "../api-keys.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

/** The id the single `API_KEY` secret goes by in logs and rate limits. */
export const LEGACY_KEY_ID = "default";

const realm = 'Bearer realm="albert-edge"';
/** RFC 6750 token68 after `Bearer`, as Hono's bearerAuth accepts it. */
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function unauthorized(message: string, error?: "invalid_request" | "invalid_token"): ApiError {
  return new ApiError(401, "unauthorized", message, { "www-authenticate": error === undefined ? realm : `${realm}, error="${error}"` });
}

function configured(value: string | undefined): ApiKeyEntry[] {
  try {
    return parseApiKeys(value);
  } catch (error) {
    throw new ApiError(500, "config_error", error instanceof Error ? error.message : String(error));
  }
}

/** The configured keys; rebuilt only when a secret's value changes (settled values only). */
function keyring() {
  let named: { raw: string | undefined; entries: ApiKeyEntry[] } | undefined;
  let legacy: { raw: string; entry: ApiKeyEntry } | undefined;
  return async (env: AppEnv["Bindings"]): Promise<ApiKeyEntry[]> => {
    if (named === undefined || named.raw !== env.API_KEYS) named = { raw: env.API_KEYS, entries: configured(env.API_KEYS) };
    const entries = named.entries;
    const single = env.API_KEY;
    if (single === undefined || single === "") return entries;
    if (legacy?.raw !== single) legacy = { raw: single, entry: { id: LEGACY_KEY_ID, sha256: await sha256(single) } };
    return [...entries, legacy.entry];
  };
}

export function apiKeyAuth(): MiddlewareHandler<AppEnv> {
  const keys = keyring();
  return async (c, next) => {
    const entries = await keys(c.env);
    if (entries.length === 0) return next();
    const header = c.req.header("authorization");
    if (header === undefined || header.trim() === "") throw unauthorized("missing API key: send Authorization: Bearer <key>");
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) throw unauthorized("malformed Authorization header: expected Bearer <key>", "invalid_request");
    const presented = await sha256(token);
    let keyId: string | undefined;
    for (const entry of entries) {
      if (crypto.subtle.timingSafeEqual(presented, entry.sha256) && keyId === undefined) keyId = entry.id;
    }
    if (keyId === undefined) throw unauthorized("invalid API key", "invalid_token");
    c.set("keyId", keyId);
    await next();
  };
}
