/**
 * @module api-keys
 * The `API_KEYS` secret's format, shared by the Worker (auth) and the CLI (`albert-edge key`):
 * JSON `{"<key id>": "<sha256 hex of the key>"}`. Hashes, so a leaked config or log never leaks
 * a key. No runtime-specific code here.
 */

/** A key id: what logs and rate limits name a client by (never the key itself). */
export const KEY_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** One configured API key: its id and the SHA-256 digest of the key. */
export interface ApiKeyEntry {
  id: string;
  sha256: Uint8Array;
}

/**
 * `API_KEYS`: JSON `{"<key id>": "<sha256 hex of the key>"}`. Unset or empty means no named keys.
 * A malformed value is a configuration error; the message never repeats the configured hashes.
 */
export function parseApiKeys(value: string | undefined): ApiKeyEntry[] {
  if (value === undefined || value.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new RangeError('API_KEYS is not JSON; expected {"<key id>": "<sha256 hex of the key>"}');
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new RangeError('API_KEYS must be a JSON object {"<key id>": "<sha256 hex of the key>"}');
  }
  return Object.entries(parsed).map(([id, hash]) => {
    if (!KEY_ID.test(id)) throw new RangeError(`API_KEYS: key id ${JSON.stringify(id.slice(0, 80))} must be 1-64 of A-Z a-z 0-9 . _ : -`);
    if (typeof hash !== "string" || !/^[0-9a-fA-F]{64}$/.test(hash)) {
      throw new RangeError(`API_KEYS: the value for ${JSON.stringify(id)} must be the 64-digit sha256 hex of the key (see \`albert-edge key\`)`);
    }
    return { id, sha256: hexBytes(hash) };
  });
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
