/**
 * Rate limits in workerd on Miniflare's emulation of the Workers Rate Limiting binding, with a
 * limiter of 3 requests per 60 s (`RATE_LIMITER_3`, vitest.config.ts) handed to the app as
 * `RATE_LIMITER`: requests 1–3 pass, the 4th is a 429 with `retry-after` and the error envelope,
 * another key (or client address) is unaffected; cached answers count; webhooks are not limited;
 * refused keys and CORS preflights use nothing. Each test uses fresh key ids / addresses, since
 * the emulated counters live as long as the test run.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Bindings } from "../../src/env.ts";

const app = createApp();
const json = { "content-type": "application/json" };

async function hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const fresh = () => crypto.randomUUID().slice(0, 8);

/** Two keys with ids new to this run, behind a limit of 3 per minute. */
async function twoKeys(): Promise<{ bindings: Bindings; alice: string; bob: string; ids: [string, string] }> {
  const ids: [string, string] = [`alice-${fresh()}`, `bob-${fresh()}`];
  const alice = `ae_alice_${fresh()}${fresh()}`;
  const bob = `ae_bob_${fresh()}${fresh()}`;
  const bindings: Bindings = {
    ...env,
    API_KEYS: JSON.stringify({ [ids[0]]: await hex(alice), [ids[1]]: await hex(bob) }),
    RATE_LIMITER: env.RATE_LIMITER_3,
    RATE_LIMIT: "3/60",
  };
  return { bindings, alice, bob, ids };
}

/**
 * The emulated windows are aligned to the wall clock; start a sequence of requests with at least
 * 8 s of its window left, so that it cannot straddle two windows.
 */
async function freshWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 8_000) await new Promise((resolve) => setTimeout(resolve, left + 250));
}

function classify(bindings: Bindings, headers: Record<string, string>, input = "a limit is a limit , even for a cached answer .") {
  return app.request("/v1/classify", { method: "POST", headers: { ...json, ...headers }, body: JSON.stringify({ input }) }, bindings);
}

async function expect429(response: Response, limit: string | null): Promise<void> {
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe("60");
  expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("0");
  expect(response.headers.get("x-ratelimit-limit-requests")).toBe(limit);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe("rate_limit_exceeded");
  expect(body.error.message).toMatch(/retry after 60 s/);
}

describe("rate limits (3 per 60 s)", () => {
  it("passes requests 1-3 of a key, refuses the 4th with 429, leaves another key alone; cached answers count", async () => {
    const { bindings, alice, bob } = await twoKeys();
    await freshWindow();
    const caches: (string | null)[] = [];
    for (let i = 1; i <= 3; i++) {
      const response = await classify(bindings, { authorization: `Bearer ${alice}` });
      expect(response.status, `request ${i}`).toBe(200);
      expect(response.headers.get("x-ratelimit-limit-requests")).toBe("3");
      expect(response.headers.get("x-ratelimit-remaining-requests")).toBeNull(); // the binding cannot tell
      caches.push(response.headers.get("x-cache"));
    }
    expect(caches.slice(1)).toEqual(["hit-memory", "hit-memory"]);
    await expect429(await classify(bindings, { authorization: `Bearer ${alice}` }), "3");
    await expect429(await app.request("/v1/models", { headers: { authorization: `Bearer ${alice}` } }, bindings), "3");

    const other = await classify(bindings, { authorization: `Bearer ${bob}` });
    expect(other.status).toBe(200);
    expect(other.headers.get("x-cache")).toBe("hit-memory");
  });

  it("limits an open API per client address (an IPv6 client by its /64)", async () => {
    const bindings: Bindings = { ...env, RATE_LIMITER: env.RATE_LIMITER_3, RATE_LIMIT: undefined };
    const a = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const b = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
    await freshWindow();
    for (let i = 1; i <= 3; i++) expect((await classify(bindings, { "cf-connecting-ip": a })).status, `request ${i}`).toBe(200);
    await expect429(await classify(bindings, { "cf-connecting-ip": a }), null);
    expect((await classify(bindings, { "cf-connecting-ip": b })).status).toBe(200);

    for (const host of ["::1", "::2", "::3"]) expect((await classify(bindings, { "cf-connecting-ip": `${net}${host}` })).status).toBe(200);
    await expect429(await classify(bindings, { "cf-connecting-ip": `${net}:abcd:1:2:3` }), null);
  });

  it("does not count refused keys, and does not limit webhooks or /healthz", async () => {
    const { bindings, bob } = await twoKeys();
    const ip = { "cf-connecting-ip": `192.0.2.${Math.floor(Math.random() * 250) + 1}` };
    const hooked: Bindings = { ...bindings, WEBHOOKS: { open: { signature: "none", fields: ["/text"] } } } as Bindings;
    await freshWindow();
    for (let i = 0; i < 5; i++) expect((await classify(bindings, { ...ip, authorization: `Bearer ${bob}x` })).status).toBe(401);
    for (let i = 0; i < 5; i++) {
      const response = await app.request("/v1/webhooks/open", { method: "POST", headers: { ...json, ...ip }, body: '{"text": "have a lovely day"}' }, hooked);
      expect(response.status, `webhook ${i + 1}`).toBe(200);
      expect((await app.request("/healthz", { headers: ip }, hooked)).status).toBe(200);
    }
    for (let i = 1; i <= 3; i++) expect((await classify(bindings, { ...ip, authorization: `Bearer ${bob}` })).status, `request ${i}`).toBe(200);
    expect((await classify(bindings, { ...ip, authorization: `Bearer ${bob}` })).status).toBe(429);
  });

  it("is off without the binding, and lets requests through when the binding fails", async () => {
    const { bindings, alice } = await twoKeys();
    for (const off of [{ ...bindings, RATE_LIMITER: undefined }, { ...bindings, RATE_LIMITER: undefined, RATE_LIMIT: undefined }]) {
      for (let i = 0; i < 5; i++) {
        const response = await classify(off, { authorization: `Bearer ${alice}` });
        expect(response.status).toBe(200);
        expect(response.headers.get("x-ratelimit-limit-requests")).toBeNull();
      }
    }
    const broken = { limit: () => Promise.reject(new Error("limiter unavailable")) } as RateLimit;
    expect((await classify({ ...bindings, RATE_LIMITER: broken }, { authorization: `Bearer ${alice}` })).status).toBe(200);
  });

  it("without RATE_LIMIT, still refuses with retry-after 60 (the longest period) and no limit header", async () => {
    const bindings: Bindings = { ...env, RATE_LIMITER: env.RATE_LIMITER_3, RATE_LIMIT: undefined };
    const ip = { "cf-connecting-ip": `192.0.2.${Math.floor(Math.random() * 250) + 1}` };
    await freshWindow();
    for (let i = 0; i < 3; i++) expect((await app.request("/v1/models", { headers: ip }, bindings)).status).toBe(200);
    await expect429(await app.request("/v1/models", { headers: ip }, bindings), null);
  });

  it("reports a malformed RATE_LIMIT as a config error", async () => {
    const response = await app.request("/v1/models", {}, { ...env, RATE_LIMITER: env.RATE_LIMITER_3, RATE_LIMIT: "lots" });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("config_error");
  });
});
