/**
 * @module webhooks/signature
 * Webhook signature checks on the raw body bytes, before any parsing. HMAC-SHA256 is verified
 * with `crypto.subtle.verify`, which compares in constant time; the hex in the header is decoded
 * first, so a malformed value is simply a mismatch. A signature header is bounded before any HMAC
 * is computed (at most `MAX_SIGNATURE_HEADER_BYTES` long and `MAX_SIGNATURE_ENTRIES` entries), so
 * an unauthenticated sender cannot make the Worker hash the body thousands of times.
 */
export type SignatureFailure = "missing" | "malformed" | "mismatch" | "stale" | "future";

export class SignatureError extends Error {
  readonly reason: SignatureFailure;
  constructor(reason: SignatureFailure, message: string) {
    super(message);
    this.name = "SignatureError";
    this.reason = reason;
  }
}

const encoder = new TextEncoder();

/** Longest signature header accepted (a GitHub one is 71 characters, a Stripe one ~150). */
export const MAX_SIGNATURE_HEADER_BYTES = 1024;
/** Most comma-separated entries in a `timestamped` header (`t` plus a few `v1` for key rotation). */
export const MAX_SIGNATURE_ENTRIES = 8;

function checkSize(header: string): void {
  if (header.length > MAX_SIGNATURE_HEADER_BYTES) {
    throw new SignatureError("malformed", `signature header is ${header.length} bytes; at most ${MAX_SIGNATURE_HEADER_BYTES} are accepted`);
  }
}

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length !== 64 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

async function verifyHex(key: CryptoKey, hex: string, data: Uint8Array): Promise<boolean> {
  const signature = hexToBytes(hex);
  if (signature === undefined) return false;
  return crypto.subtle.verify("HMAC", key, signature, data);
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. */
export async function verifyGithub(secret: string, body: Uint8Array, header: string | undefined): Promise<void> {
  if (header === undefined || header === "") throw new SignatureError("missing", "missing X-Hub-Signature-256 header");
  checkSize(header);
  if (!header.startsWith("sha256=")) throw new SignatureError("malformed", 'X-Hub-Signature-256 must be "sha256=<hex>"');
  if (!(await verifyHex(await hmacKey(secret), header.slice(7), body))) {
    throw new SignatureError("mismatch", "signature does not match the body");
  }
}

/**
 * Timestamped (Stripe-style): `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`; several
 * `v1` entries are allowed (key rotation). The timestamp must be within `toleranceSeconds` of now,
 * in either direction.
 */
export async function verifyTimestamped(
  secret: string,
  body: Uint8Array,
  header: string | undefined,
  toleranceSeconds: number,
  nowSeconds: number,
): Promise<void> {
  if (header === undefined || header === "") throw new SignatureError("missing", "missing signature header");
  checkSize(header);
  const parts = header.split(",");
  if (parts.length > MAX_SIGNATURE_ENTRIES) {
    throw new SignatureError("malformed", `signature header has ${parts.length} entries; at most ${MAX_SIGNATURE_ENTRIES} are accepted`);
  }
  let timestamp: string | undefined;
  const candidates: string[] = [];
  for (const part of parts) {
    const [name, value] = part.split("=", 2).map((s) => s.trim());
    if (name === "t") timestamp = value;
    else if (name === "v1" && value !== undefined) candidates.push(value);
  }
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp) || candidates.length === 0) {
    throw new SignatureError("malformed", 'signature header must be "t=<unix seconds>,v1=<hex>"');
  }
  const age = nowSeconds - Number(timestamp);
  if (age > toleranceSeconds) throw new SignatureError("stale", `signature timestamp is ${Math.round(age)} s old (tolerance ${toleranceSeconds} s)`);
  if (-age > toleranceSeconds) throw new SignatureError("future", `signature timestamp is ${Math.round(-age)} s in the future (tolerance ${toleranceSeconds} s)`);
  const prefix = encoder.encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  const key = await hmacKey(secret);
  let ok = false;
  for (const candidate of candidates) ok = (await verifyHex(key, candidate, signed)) || ok;
  if (!ok) throw new SignatureError("mismatch", "signature does not match the body");
}

/** Signs like `verifyTimestamped` expects (for clients and tests). */
export async function signTimestamped(secret: string, body: string, timestamp: number): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(`${timestamp}.${body}`));
  return `t=${timestamp},v1=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
