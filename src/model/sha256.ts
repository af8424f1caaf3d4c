/**
 * @module model/sha256
 * Hex sha256 through WebCrypto (`crypto.subtle`), available in Node 24 and workerd.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex;
}
