/**
 * API keys in workerd: named keys from `API_KEYS` (sha256 hashes), the legacy single `API_KEY`,
 * rotation (a removed key gets 401), near-miss keys (prefix, case variant) refused, the key id on
 * the context, and the key itself never in a log line. `/healthz` and webhooks stay open.
 */
import { env } from "cloudflare:test";
import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import type { AppEnv, Bindings } from "../../src/env.ts";
import { apiKeyAuth } from "../../src/middleware/auth.ts";
import { onError } from "../../src/middleware/errors.ts";

const app = createApp();
const secured: Bindings = { ...env, API_KEY: "s3cret-key_1" };

async function hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Two named keys, as `albert-edge key` makes them. */
const alice = "ae_AliceKey0123456789abcdefghijklmnopqrstuvwxy";
const bob = "ae_BobKey-_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const named: Bindings = { ...env, API_KEYS: JSON.stringify({ alice: await hex(alice), bob: await hex(bob) }) };
/** Alice's key revoked (removed from API_KEYS), Bob's kept. */
const rotated: Bindings = { ...env, API_KEYS: JSON.stringify({ bob: await hex(bob) }) };

async function status(init: RequestInit, path = "/v1/models", bindings: Bindings = secured): Promise<[number, unknown]> {
  const response = await app.request(path, init, bindings);
  return [response.status, await response.json()];
}

const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

/** The middleware alone, answering with the key id it put on the context. */
const whoami = new Hono<AppEnv>()
  .use(apiKeyAuth())
  .get("/", (c) => c.json({ keyId: c.var.keyId ?? null }))
  .onError(onError);

describe("API key (legacy API_KEY)", () => {
  it("rejects a missing key with 401, the error envelope and a Bearer challenge", async () => {
    const response = await app.request("/v1/classify", { method: "POST" }, secured);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="albert-edge"/);
    expect(await response.json()).toEqual({ error: { code: "unauthorized", message: expect.stringContaining("missing") } });
    // On an OpenAI-compatible route, OpenAI's error object (same code and message, plus type and param).
    const openai = await app.request("/v1/models", {}, secured);
    expect(openai.status).toBe(401);
    expect(openai.headers.get("www-authenticate")).toMatch(/^Bearer realm="albert-edge"/);
    expect(await openai.json()).toEqual({
      error: { code: "unauthorized", message: expect.stringContaining("missing"), type: "authentication_error", param: null },
    });
  });

  it("rejects a wrong key and a malformed header with 401", async () => {
    expect((await status(bearer("wrong-key")))[0]).toBe(401);
    expect((await status(bearer("s3cret-key_12")))[0]).toBe(401);
    expect((await status({ headers: { authorization: "Basic czNjcmV0" } }))[0]).toBe(401);
    expect((await status({ headers: { authorization: "Bearer " } }))[0]).toBe(401);
  });

  it("accepts the right key, as key id `default`", async () => {
    const [code, body] = await status(bearer("s3cret-key_1"));
    expect(code).toBe(200);
    expect(body).toMatchObject({ data: expect.arrayContaining([expect.objectContaining({ id: "sentiment" })]) });
    expect(await (await whoami.request("/", bearer("s3cret-key_1"), secured)).json()).toEqual({ keyId: "default" });
  });

  it("leaves /healthz open and everything open when no key is set", async () => {
    expect((await status({}, "/healthz"))[0]).toBe(200);
    expect((await status({}, "/v1/models", env))[0]).toBe(200);
    expect(await (await whoami.request("/", {}, env)).json()).toEqual({ keyId: null });
  });
});

describe("named API keys (API_KEYS)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("accepts both keys, each under its own id", async () => {
    expect((await status(bearer(alice), "/v1/models", named))[0]).toBe(200);
    expect((await status(bearer(bob), "/v1/models", named))[0]).toBe(200);
    expect(await (await whoami.request("/", bearer(alice), named)).json()).toEqual({ keyId: "alice" });
    expect(await (await whoami.request("/", bearer(bob), named)).json()).toEqual({ keyId: "bob" });
  });

  it("refuses a revoked key with 401 while the other key keeps working", async () => {
    const [code, body] = await status(bearer(alice), "/v1/models", rotated);
    expect(code).toBe(401);
    expect(body).toEqual({ error: { code: "unauthorized", message: "invalid API key", type: "authentication_error", param: null } });
    expect((await status(bearer(bob), "/v1/models", rotated))[0]).toBe(200);
  });

  it("refuses a prefix, an extension and a case variant of a valid key", async () => {
    for (const near of [alice.slice(0, -1), alice.slice(0, 20), `${alice}x`, alice.toUpperCase(), alice.toLowerCase(), bob.replace("B", "b")]) {
      expect(near).not.toBe(alice);
      const response = await app.request("/v1/models", bearer(near), named);
      expect(response.status, near).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
  });

  it("accepts the legacy API_KEY next to API_KEYS", async () => {
    const both: Bindings = { ...named, API_KEY: "s3cret-key_1" };
    expect(await (await whoami.request("/", bearer("s3cret-key_1"), both)).json()).toEqual({ keyId: "default" });
    expect(await (await whoami.request("/", bearer(bob), both)).json()).toEqual({ keyId: "bob" });
  });

  it("does not apply to webhooks, which are signed", async () => {
    const response = await app.request("/v1/webhooks/nope", { method: "POST", body: "{}" }, named);
    expect(response.status).toBe(404); // hook_not_found, not 401
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("hook_not_found");
  });

  it("reports a malformed API_KEYS as a config error without repeating the hashes", async () => {
    const hash = await hex(alice);
    for (const value of ["not json", '["a"]', `{"alice": "${hash.slice(1)}"}`, `{"bad id": "${hash}"}`]) {
      const response = await app.request("/v1/models", bearer(alice), { ...env, API_KEYS: value });
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("config_error");
      expect(body.error.message).not.toContain(hash.slice(1, 20));
    }
  });

  it("never writes a key to the logs, accepted or refused", async () => {
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      });
    }
    await app.request("/v1/classify", { method: "POST", headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" }, body: '{"input": "a fine film"}' }, named);
    await app.request("/v1/classify", { method: "POST", headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" }, body: '{"input": "x", "model": "nope"}' }, named);
    await app.request("/v1/models", bearer(alice), rotated);
    await app.request("/v1/models", bearer(`${bob}x`), named);
    await app.request("/v1/models", bearer(bob), { ...env, API_KEYS: "not json" });
    expect(lines.filter((line) => line.includes('"message":"request"'))).toHaveLength(5); // the capture works: one request line each
    expect(lines.some((line) => line.includes('"key_id":"alice"'))).toBe(true);
    for (const line of lines) {
      for (const secret of [alice, bob, alice.slice(3, 30), bob.slice(3, 30)]) expect(line).not.toContain(secret);
    }
  });
});
