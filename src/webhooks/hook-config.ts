/**
 * @module webhooks/hook-config
 * Webhook definitions from the `WEBHOOKS` var (a TOML table in wrangler.toml, or the same as a
 * JSON string), validated. Secrets are never in the config: a hook names the Worker secret that
 * holds its key.
 */
export type SignatureScheme = "github" | "timestamped" | "none";
export type HookAction = "respond" | "forward";

export interface HookConfig {
  name: string;
  /** `github`: `X-Hub-Signature-256: sha256=<hex>`; `timestamped`: `t=<unix>,v1=<hex>` (Stripe-style); `none`. */
  signature: SignatureScheme;
  /** Name of the Worker secret holding the signing key (required unless `signature` is `none`). */
  secret?: string;
  /** Header carrying a `timestamped` signature (default `x-webhook-signature`). */
  signatureHeader: string;
  /** Accepted clock difference for `timestamped`, seconds (default 300). */
  toleranceSeconds: number;
  /** JSON pointers (RFC 6901) to the text fields to moderate; arrays on the way are walked. */
  fields: string[];
  action: HookAction;
  /** Where `forward` sends the original body. */
  target?: string;
  /** Refuse flagged payloads with 422 (and do not forward them). */
  blockFlagged: boolean;
  /** Moderation model (default: `MODERATION_MODEL`). */
  model?: string;
  /**
   * Refuse payloads without text in `fields` with 422 `no_text` (default false: they are
   * accepted unmoderated, as GitHub's `ping` and events without those fields must be).
   */
  requireText: boolean;
}

export class HookConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HookConfigError";
  }
}

const SCHEMES: readonly SignatureScheme[] = ["github", "timestamped", "none"];
const ACTIONS: readonly HookAction[] = ["respond", "forward"];

/** Parses the whole `WEBHOOKS` value; returns hooks by name (src/config.ts: once per bindings). */
export function parseHooks(value: unknown): Map<string, HookConfig> {
  const hooks = new Map<string, HookConfig>();
  if (value === undefined || value === null || value === "") return hooks;
  let table: unknown = value;
  if (typeof value === "string") {
    try {
      table = JSON.parse(value);
    } catch {
      throw new HookConfigError("WEBHOOKS is not valid JSON");
    }
  }
  if (typeof table !== "object" || table === null || Array.isArray(table)) throw new HookConfigError("WEBHOOKS must be a table of hooks");
  for (const [name, raw] of Object.entries(table)) hooks.set(name, parseHook(name, raw));
  return hooks;
}

function parseHook(name: string, raw: unknown): HookConfig {
  const fail = (message: string): never => {
    throw new HookConfigError(`webhook ${JSON.stringify(name)}: ${message}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("must be a table");
  const r = raw as Record<string, unknown>;
  const signature = (r["signature"] ?? "github") as SignatureScheme;
  if (!SCHEMES.includes(signature)) fail(`signature must be one of ${SCHEMES.join(", ")}`);
  const secret = r["secret"];
  if (signature !== "none" && (typeof secret !== "string" || secret === "")) fail("secret (the name of a Worker secret) is required");
  const fields = r["fields"];
  if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === "string" && (f === "" || f.startsWith("/")))) {
    fail('fields must be a non-empty list of JSON pointers like "/issue/body"');
  }
  const action = (r["action"] ?? "respond") as HookAction;
  if (!ACTIONS.includes(action)) fail(`action must be one of ${ACTIONS.join(", ")}`);
  const target = r["target"];
  if (action === "forward") {
    if (typeof target !== "string" || !/^https?:\/\//.test(target)) fail("forward needs target, an http(s) URL");
  }
  const tolerance = r["tolerance_seconds"] ?? 300;
  if (typeof tolerance !== "number" || !(tolerance > 0)) fail("tolerance_seconds must be a positive number");
  const model = r["model"];
  if (model !== undefined && typeof model !== "string") fail("model must be a string");
  const requireText = r["require_text"] ?? false;
  if (typeof requireText !== "boolean") fail("require_text must be true or false");
  const header = r["signature_header"] ?? "x-webhook-signature";
  if (typeof header !== "string" || header === "") fail("signature_header must be a header name");
  return {
    name,
    signature,
    ...(typeof secret === "string" ? { secret } : {}),
    signatureHeader: (header as string).toLowerCase(),
    toleranceSeconds: tolerance as number,
    fields: fields as string[],
    action,
    ...(typeof target === "string" ? { target } : {}),
    blockFlagged: r["block_flagged"] === true,
    ...(typeof model === "string" ? { model } : {}),
    requireText: requireText as boolean,
  };
}
